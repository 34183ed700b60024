/**
 * Runs `seedDevelopmentData` in its own process, started by the stack with the handler environment. The
 * seed writes through the project's stores, whose clients read the environment when first imported;
 * here that environment is set before any import, and the stack's own process (a test runner, say) is
 * left untouched.
 *
 * Input: ARBITER_SEED_INPUT = {"env": {…}, "devApiKey"?: "…"}. Output: one line `ARBITER_SEED_RESULT <json>`.
 */
import './localhost-dns.js';
import { seedResultPrefix } from './ready-lines.js';
import { seedDevelopmentData } from './seed.js';

interface SeedInput {
  env: Record<string, string>;
  devApiKey?: string;
}

const input = JSON.parse(process.env.ARBITER_SEED_INPUT ?? '{}') as SeedInput;
const result = await seedDevelopmentData(input.env, input.devApiKey ? { devApiKey: input.devApiKey } : {});
process.stdout.write(`${seedResultPrefix}${JSON.stringify(result)}\n`);
