// Tests run as native ESM (middy 6 is ESM-only): jest's VM-modules mode plus swc, which strips types
// without type-checking; `npm run typecheck` (tsc --noEmit) is the type gate and runs first in `npm test`.
// keepImportAttributes: JSON modules need their `with { type: 'json' }` under native ESM.
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } }, module: { type: 'es6' } },
];
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts', '<rootDir>/test/support/egress-local.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^#shared/(.*)\\.js$': '<rootDir>/shared/$1.ts',
    '^#functions/(.*)\\.js$': '<rootDir>/functions/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
  // A global option (jest ignores it per project): integration tests start whole local stacks.
  testTimeout: 60_000,
  // One folder per run captures every log line written and every API key used; the teardown fails the
  // run if a key appears in a line (test/support/log-secrecy.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/log-secrecy.ts',
};
