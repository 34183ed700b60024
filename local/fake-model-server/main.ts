/**
 * Runs the fake OpenAI-compatible model server on its own, for load tests and demos:
 *
 *   tsx local/fake-model-server/main.ts --port 4010 --latency 50 --rate-limit 0.05 --server-error 0.01 \
 *     --timeout 0.01 --malformed 0.01 --seed 7 --retry-after 1 [--hang 120000]
 *
 * Prints the base URL to register an `openai_compatible` model with; Ctrl-C prints the outcome counts and stops.
 */
import { parseArgs } from 'node:util';
import { startFakeModelServer } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    latency: { type: 'string', default: '0' },
    'rate-limit': { type: 'string', default: '0' },
    'server-error': { type: 'string', default: '0' },
    timeout: { type: 'string', default: '0' },
    malformed: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'retry-after': { type: 'string' },
    hang: { type: 'string' },
  },
});

function number(name: keyof typeof values): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, got ${raw}`);
    process.exit(2);
  }
  return value;
}

const server = await startFakeModelServer({
  port: number('port'),
  latencyMs: number('latency'),
  rates: { rateLimit: number('rate-limit'), serverError: number('server-error'), timeout: number('timeout'), malformed: number('malformed') },
  seed: number('seed'),
  retryAfterSeconds: number('retry-after'),
  hangMs: number('hang'),
});
console.log(server.url);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(JSON.stringify(server.stats()));
    void server.stop().then(() => process.exit(0));
  });
}
