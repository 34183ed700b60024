/**
 * Arbiter's floor plan, as rules a test enforces (`test/unit/architecture.test.ts` runs them in
 * `npm test`). docs/architecture.md draws the same picture in prose.
 *
 *   shared/platform   logging, metrics, configuration, ids, clocks      imports nothing else of ours
 *   shared/contracts  wire schemas, messages, resources, routes, OpenAPI  may import platform
 *   shared/domain     evaluations, benchmarks, models, metrics, stats,    may import contracts, platform
 *                     the evaluator's steps, the report; its ports
 *   shared/adapters   DynamoDB, SQS, Secrets Manager, providers, HTTP API may import domain, contracts, platform
 *   functions/        Lambda entry points: wire adapters into the domain  may import all of shared/
 *
 * Every rule's comment is the sentence a newcomer reads when the test fails.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules may not import each other in a circle: move what both need into a third module they both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-is-the-floor',
      severity: 'error',
      comment: 'shared/platform (logging, metrics, configuration, ids, time) sits under every layer and may import none of them.',
      from: { path: '^shared/platform/' },
      to: { path: '^shared/(contracts|domain|adapters)/' },
    },
    {
      name: 'contracts-stand-alone',
      severity: 'error',
      comment: 'shared/contracts describes the wire (schemas, messages, routes, resources): it may not depend on the domain or on adapters.',
      from: { path: '^shared/contracts/' },
      to: { path: '^shared/(domain|adapters)/' },
    },
    {
      name: 'domain-not-to-adapters',
      severity: 'error',
      comment:
        'The domain owns its ports (shared/domain/ports) and never imports an adapter: adapters implement the ports, and handlers or local/ wire them in.',
      from: { path: '^shared/domain/' },
      to: { path: '^shared/adapters/' },
    },
    {
      name: 'domain-not-to-aws-sdk',
      severity: 'error',
      comment: 'AWS SDK clients belong to shared/adapters: the domain talks to storage and queues through its ports only.',
      from: { path: '^shared/domain/' },
      to: { path: '@aws-sdk/' },
    },
    {
      name: 'shared-not-to-entry-points',
      severity: 'error',
      comment: 'shared/ is the library the entry points use; it may not import functions/, infra/, local/, cli/, scripts/ or bench/.',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|local|cli|scripts|bench)/' },
    },
    {
      name: 'functions-not-to-each-other',
      severity: 'error',
      comment: 'A Lambda handler may not import another handler: what two need belongs in shared/.',
      from: { path: '^functions/api/' },
      to: { path: '^functions/(evaluator|authorizer)/' },
    },
    {
      name: 'infra-describes-not-runs',
      severity: 'error',
      comment: 'infra/ builds the stack from shared/contracts and shared/platform; it may not pull the domain or adapters into the CDK app.',
      from: { path: '^infra/' },
      to: { path: '^shared/(domain|adapters)/' },
    },
    {
      name: 'production-not-to-test',
      severity: 'error',
      comment: 'Nothing that ships or runs the service (shared, functions, infra, local, cli, client, scripts, bench) may import test/.',
      from: { path: '^(shared|functions|infra|local|cli|client|scripts|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|\\.data|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    combinedDependencies: true,
  },
};
