/**
 * `npm run invoke -- <FunctionId> <event.json>`: runs one function's handler with an event file against
 * the running local stack (`npm start`), as `sam local invoke` does, and prints its result as JSON.
 * `{{ARBITER_DEV_API_KEY}}` in the event file is replaced by the running stack's development key.
 */
import './localhost-dns.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionDefinitions, findFunction } from '#shared/contracts/function-manifest.js';
import { evaluatorSettings } from '#shared/contracts/resources.js';
import { localStackConfig } from '#shared/platform/config.js';
import { apiTimeoutSeconds, createLambdaContext } from './lambda-context.js';
import { defaultDataDir, repoRoot } from './paths.js';
import { isStackAlive, readStackFile } from './stack-file.js';

const devKeyPlaceholder = '{{ARBITER_DEV_API_KEY}}';

function usage(): string {
  const ids = functionDefinitions.map((definition) => `  ${definition.id.padEnd(22)} ${definition.kind.padEnd(10)} ${definition.description}`);
  return ['Usage: npm run invoke -- <FunctionId> <event-file.json>', '', 'Functions:', ...ids, '', 'Sample events are in events/.'].join('\n');
}

class UsageError extends Error {}

async function main(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h') || args.length === 0) {
    console.log(usage());
    return;
  }
  const [functionId, eventFile] = args;
  const definition = findFunction(functionId ?? '');
  if (!definition) throw new UsageError(`Unknown function "${functionId}".\n\n${usage()}`);
  if (!eventFile) throw new UsageError(`Missing the event file.\n\n${usage()}`);

  const dataDir = resolve(localStackConfig.dataDir ?? defaultDataDir);
  const stack = readStackFile(dataDir);
  if (!stack || !isStackAlive(stack)) {
    throw new UsageError(`No local stack is running from ${dataDir}: start the local stack with \`npm start\` first.`);
  }

  const event = JSON.parse(readFileSync(resolve(eventFile), 'utf8').replaceAll(devKeyPlaceholder, stack.devApiKey)) as unknown;
  // Before the import: handlers read their configuration when their module is first loaded.
  Object.assign(process.env, stack.env);
  const module = (await import(pathToFileURL(join(repoRoot, definition.entry)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${definition.entry} does not export a handler function`);
  const context = createLambdaContext({
    functionId: definition.id,
    timeoutSeconds: definition.kind === 'evaluator' ? evaluatorSettings.timeoutSeconds : apiTimeoutSeconds,
  });
  const result: unknown = await (module.handler as (event: unknown, context: unknown) => Promise<unknown>)(event, context);
  console.log(JSON.stringify(result ?? null, null, 2));
}

main(process.argv.slice(2)).then(
  // The SDK clients the handler created keep sockets open; a one-shot command should not wait for them.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error);
    process.exit(1);
  },
);
