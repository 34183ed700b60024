/** Loads handler modules by their manifest entry, once each, as a warm Lambda container would. */
import type { Context } from 'aws-lambda';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionDefinition } from '#shared/contracts/function-manifest.js';
import { repoRoot } from './paths.js';

/** Handlers differ by kind; the caller that knows the kind narrows the result. */
export type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

const loaded = new Map<string, Promise<AnyHandler>>();

export function loadHandler(definition: FunctionDefinition): Promise<AnyHandler> {
  let handler = loaded.get(definition.id);
  if (!handler) {
    handler = importHandler(definition);
    loaded.set(definition.id, handler);
  }
  return handler;
}

async function importHandler(definition: FunctionDefinition): Promise<AnyHandler> {
  const module = (await import(pathToFileURL(join(repoRoot, definition.entry)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new Error(`${definition.entry} (function ${definition.id}) does not export a handler function`);
  }
  return module.handler as AnyHandler;
}
