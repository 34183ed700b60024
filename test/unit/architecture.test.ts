/**
 * The floor plan as a test: `.dependency-cruiser.cjs` is the written architecture, and this file checks
 * that the tree obeys it and that every rule actually fires on the import it forbids, so a rule that
 * silently matches nothing (a typo in a path pattern) is caught too.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');
const rulesFile = join(repoRoot, '.dependency-cruiser.cjs');
const depcruise = join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const scannedFolders = ['shared', 'functions', 'infra', 'local', 'cli', 'client', 'scripts', 'bench', 'test'];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

async function cruise(cwd: string, folders: string[]): Promise<{ violations: Violation[]; modules: number }> {
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const { stdout } = await run(process.execPath, [depcruise, ...folders, '--config', rulesFile, '--output-type', 'json'], {
    cwd,
    maxBuffer: 256 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    if (!error.stdout) throw new Error(`dependency-cruiser failed: ${error.stderr ?? String(error)}`);
    return { stdout: error.stdout };
  });
  const report = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: report.summary.violations, modules: report.summary.totalCruised };
}

const describeViolation = (v: Violation) =>
  `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (circle: ${v.cycle.map((step) => step.name).join(' → ')})` : ''}`;

describe('the repository follows its floor plan', () => {
  it('has no import that breaks a rule of .dependency-cruiser.cjs', async () => {
    const { violations, modules } = await cruise(repoRoot, scannedFolders);
    // Guards against a cruise that silently found nothing (a moved folder, a broken resolver).
    expect(modules).toBeGreaterThan(300);
    expect(violations.map(describeViolation)).toEqual([]);
  }, 120_000);
});

describe('each rule fires on the import it forbids', () => {
  let sandbox: string;

  /** A tiny tree with the repository's folder names: one clean import per layer and one wrong one per rule. */
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
    'package.json': JSON.stringify({ type: 'module' }),
    'shared/platform/logger.ts': `export const log = 1;\n`,
    'shared/platform/bad-platform.ts': `import { schema } from '../contracts/schema.js';\nexport const x = schema;\n`,
    'shared/contracts/schema.ts': `import { log } from '../platform/logger.js';\nexport const schema = log;\n`,
    'shared/contracts/bad-contract.ts': `import { service } from '../domain/service.js';\nexport const y = service;\n`,
    'shared/domain/ports/store.ts': `export interface Store { get(): number }\n`,
    'shared/domain/service.ts': `import { schema } from '../contracts/schema.js';\nimport type { Store } from './ports/store.js';\nexport const service = (s: Store) => s.get() + schema;\n`,
    'shared/domain/bad-domain.ts': `import { DynamoStore } from '../adapters/dynamo-store.js';\nexport const z = new DynamoStore();\n`,
    'shared/domain/bad-sdk.ts': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = DynamoDBClient;\n`,
    'shared/domain/circle-a.ts': `import { b } from './circle-b.js';\nexport const a = () => b;\n`,
    'shared/domain/circle-b.ts': `import { a } from './circle-a.js';\nexport const b = () => a;\n`,
    'shared/adapters/dynamo-store.ts': `import type { Store } from '../domain/ports/store.js';\nexport class DynamoStore implements Store { get() { return 1; } }\n`,
    'shared/adapters/bad-adapter.ts': `import { handler } from '../../functions/api/handler.js';\nexport const h = handler;\n`,
    'functions/api/handler.ts': `import { service } from '../../shared/domain/service.js';\nimport { DynamoStore } from '../../shared/adapters/dynamo-store.js';\nexport const handler = () => service(new DynamoStore());\n`,
    'functions/api/bad-handler.ts': `import { worker } from '../evaluator/worker.js';\nexport const w = worker;\n`,
    'functions/evaluator/worker.ts': `export const worker = 1;\n`,
    'infra/stack.ts': `import { schema } from '../shared/contracts/schema.js';\nimport { service } from '../shared/domain/service.js';\nexport const s = [schema, service];\n`,
    'bench/bench.ts': `import { fake } from '../test/support/fake.js';\nexport const f = fake;\n`,
    'test/support/fake.ts': `export const fake = 1;\n`,
  };

  beforeAll(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'arbiter-architecture-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(sandbox, path)), { recursive: true });
      await writeFile(join(sandbox, path), text);
    }
  });
  afterAll(() => rm(sandbox, { recursive: true, force: true }));

  it('reports exactly the wrong imports, each under the rule it breaks', async () => {
    const { violations } = await cruise(sandbox, ['shared', 'functions', 'infra', 'bench', 'test']);
    const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual(
      [
        'contracts-stand-alone: shared/contracts/bad-contract.ts → shared/domain/service.ts',
        'domain-not-to-adapters: shared/domain/bad-domain.ts → shared/adapters/dynamo-store.ts',
        'domain-not-to-aws-sdk: shared/domain/bad-sdk.ts → @aws-sdk/client-dynamodb',
        'functions-not-to-each-other: functions/api/bad-handler.ts → functions/evaluator/worker.ts',
        'infra-describes-not-runs: infra/stack.ts → shared/domain/service.ts',
        'no-circular: shared/domain/circle-a.ts → shared/domain/circle-b.ts',
        'platform-is-the-floor: shared/platform/bad-platform.ts → shared/contracts/schema.ts',
        'production-not-to-test: bench/bench.ts → test/support/fake.ts',
        'shared-not-to-entry-points: shared/adapters/bad-adapter.ts → functions/api/handler.ts',
      ].sort(),
    );
  }, 60_000);
});
