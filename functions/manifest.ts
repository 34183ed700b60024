/**
 * Every Lambda function and HTTP route of Arbiter, in one list. The CDK stack creates a function, its
 * grants and its routes from each entry; the local HTTP server routes requests with the same list. A new
 * route is added here and nowhere else.
 */
import type { QueueName, TableName } from '#shared/resources.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway route path, with `{name}` path parameters. */
  path: string;
  /** False only for the few routes anyone may call (health, OpenAPI document). */
  authorized: boolean;
}

export type TableAccess = 'read' | 'write' | 'readWrite';
export type QueueAccess = 'send' | 'consume' | 'read';

export interface FunctionDefinition {
  /** CDK construct id, and the name used by `npm run invoke`. */
  id: string;
  kind: 'api' | 'authorizer' | 'evaluator';
  /** Path of the handler module from the repository root. */
  entry: string;
  description: string;
  routes: RouteDefinition[];
  tables: Partial<Record<TableName, TableAccess>>;
  queues: Partial<Record<QueueName, QueueAccess>>;
}

export const functionDefinitions: FunctionDefinition[] = [
  {
    id: 'Authorizer',
    kind: 'authorizer',
    entry: 'functions/authorizer/authorizer.ts',
    description: 'Resolves a bearer API key to its tenant and scopes',
    routes: [],
    tables: { apiKeys: 'read' },
    queues: {},
  },
  {
    id: 'Health',
    kind: 'api',
    entry: 'functions/api/health.ts',
    description: 'Answers 200 once the service reaches its table and queue',
    routes: [{ method: 'GET', path: '/api/v3/health', authorized: false }],
    tables: { evaluations: 'read' },
    queues: { work: 'read' },
  },
  {
    id: 'CreateEvaluation',
    kind: 'api',
    entry: 'functions/api/create-evaluation.ts',
    description: 'Validates and records an evaluation, then queues its start message',
    routes: [{ method: 'POST', path: '/api/v3/evaluations', authorized: true }],
    tables: { evaluations: 'readWrite', benchmarks: 'read', models: 'read' },
    queues: { work: 'send' },
  },
  {
    id: 'GetEvaluationStatus',
    kind: 'api',
    entry: 'functions/api/get-evaluation-status.ts',
    description: "Reports an evaluation's status and progress",
    routes: [{ method: 'GET', path: '/api/v3/evaluations/{evaluation_id}/status', authorized: true }],
    tables: { evaluations: 'read' },
    queues: {},
  },
  {
    id: 'Evaluator',
    kind: 'evaluator',
    entry: 'functions/evaluator/evaluator.ts',
    description: 'Consumes work messages: plans, runs and finalizes evaluations',
    routes: [],
    tables: { evaluations: 'readWrite', benchmarks: 'read', models: 'read' },
    queues: { work: 'consume' },
  },
];

export function findFunction(id: string): FunctionDefinition | undefined {
  return functionDefinitions.find((definition) => definition.id === id);
}
