/**
 * `npm run bench:bundles`: synthesizes the stack (esbuild bundles exactly as deployed), then prints each
 * handler bundle's size and its cold `import` time in a fresh Node process (median of BENCH_RUNS runs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionDefinitions } from '#shared/contracts/function-manifest.js';
import { queueDefinitions, tableDefinitions } from '#shared/contracts/resources.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const out = mkdtempSync(join(tmpdir(), 'arbiter-bundles-'));
execFileSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '-o', out], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
});

const template = JSON.parse(readFileSync(join(out, 'Arbiter-dev.template.json'), 'utf8')) as {
  Resources: Record<string, { Type: string; Properties?: { Description?: string }; Metadata?: Record<string, string> }>;
};

// What a handler reads at import: table names, queue URLs, region. The values only need to exist.
const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
for (const table of Object.values(tableDefinitions)) env[table.envVar] = `bench-${table.id}`;
for (const queue of Object.values(queueDefinitions)) env[queue.envVar] = `https://sqs.us-east-1.amazonaws.com/000000000000/${queue.id}`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows = [];
for (const definition of functionDefinitions) {
  const resource = Object.values(template.Resources).find(
    (candidate) => candidate.Type === 'AWS::Lambda::Function' && candidate.Properties?.Description === definition.description,
  );
  const assetPath = resource?.Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error(`No bundled asset found for ${definition.id}`);
  const bundle = join(out, assetPath, 'index.mjs');
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const script = `const t = performance.now(); await import(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
    times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString()));
  }
  rows.push({
    function: definition.id,
    bundle_kib: Math.round(statSync(bundle).size / 1024),
    cold_import_ms: Math.round(median(times) * 10) / 10,
  });
}
console.table(rows);
