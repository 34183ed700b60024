/**
 * The OpenAPI document against the deployed shape of the API: every route the synthesized CDK stack
 * creates is documented, and every documented path and method is a route of the stack. The stack is
 * built as in `arbiter-stack.test.ts`: stub handlers, no bundling.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { functionDefinitions } from '#shared/contracts/function-manifest.js';
import { buildOpenApiDocument } from '#shared/contracts/openapi/document.js';
import { ArbiterStack } from '../../infra/arbiter-stack.js';

const SYNTH_TIMEOUT_MS = 60_000;

let stubRoot: string;
let stackRoutes: { key: string; authorized: boolean }[];

beforeAll(() => {
  stubRoot = mkdtempSync(join(tmpdir(), 'arbiter-openapi-infra-'));
  writeFileSync(join(stubRoot, 'package-lock.json'), '{}\n');
  for (const definition of functionDefinitions) {
    const file = join(stubRoot, definition.entry);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'export const handler = async () => ({});\n');
  }
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new ArbiterStack(app, 'Arbiter-openapi', { stage: 'dev', projectRoot: stubRoot }));
  stackRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((resource) => {
    const properties = resource.Properties as { RouteKey: string; AuthorizationType?: string };
    return { key: properties.RouteKey, authorized: properties.AuthorizationType !== undefined && properties.AuthorizationType !== 'NONE' };
  });
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  rmSync(stubRoot, { recursive: true, force: true });
});

const document = buildOpenApiDocument();
const documented = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({
    key: `${method.toUpperCase()} ${path}`,
    isPublic: Array.isArray(operation.security) && operation.security.length === 0,
  })),
);

describe('the OpenAPI document and the CDK stack', () => {
  it('documents every route of the stack', () => {
    const undocumented = stackRoutes.map((route) => route.key).filter((key) => !documented.some((d) => d.key === key));

    expect(stackRoutes.length).toBeGreaterThanOrEqual(19);
    expect(undocumented).toEqual([]);
  });

  it('documents only routes the stack has', () => {
    const unrouted = documented.map((d) => d.key).filter((key) => !stackRoutes.some((route) => route.key === key));

    expect(unrouted).toEqual([]);
  });

  it('marks as public (no bearer key) exactly the routes the stack leaves without its authorizer', () => {
    const publicInStack = stackRoutes
      .filter((route) => !route.authorized)
      .map((route) => route.key)
      .sort();
    const publicInDocument = documented
      .filter((d) => d.isPublic)
      .map((d) => d.key)
      .sort();

    expect(publicInDocument).toEqual(['GET /api/v3/health', 'GET /api/v3/openapi.json']);
    expect(publicInStack).toEqual(publicInDocument);
  });
});
