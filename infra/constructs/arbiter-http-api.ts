/**
 * The HTTP API: one route per manifest route, a Lambda authorizer in front of the authorized ones, a
 * throttled `$default` stage with JSON access logs.
 */
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, LogGroupLogDestination, PayloadFormatVersion, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '#shared/contracts/function-manifest.js';
import type { ThrottleSettings } from '../config.js';

/** How long API Gateway reuses an authorizer answer for the same Authorization header. */
export const AUTHORIZER_CACHE_TTL = Duration.minutes(5);

/**
 * One JSON object per request. `integrationError` and `authorizerError` explain 5xx answers that never
 * reached a handler's logs; `tenantId` comes from the authorizer's context.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  errorMessage: '$context.error.message',
  tenantId: '$context.authorizer.tenant_id',
};

export interface ApiRouteTarget {
  id: string;
  function: IFunction;
  routes: readonly RouteDefinition[];
}

export interface ArbiterHttpApiProps {
  stage: string;
  authorizerFunction: IFunction;
  targets: readonly ApiRouteTarget[];
  throttle: ThrottleSettings;
  removalPolicy: RemovalPolicy;
}

export class ArbiterHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ArbiterHttpApiProps) {
    super(scope, id);

    this.api = new HttpApi(this, 'Api', {
      apiName: `arbiter-${props.stage}`,
      description: `Arbiter model evaluation API (${props.stage})`,
      // The L2 default stage takes no access-log or throttle settings; the stage below is the `$default`
      // stage, created with both.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    // The authorizer always answers isAuthorized: true, putting either the caller's identity or an
    // `auth_error` in the context: an HTTP API can only turn isAuthorized: false into a bare 403, and
    // Arbiter's contract answers an unknown key with 401 and a JSON body, which the handlers' middleware
    // produces. A request without an Authorization header never reaches it: API Gateway answers 401 itself.
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });
    const noAuthorizer = new HttpNoneAuthorizer();

    for (const target of props.targets) {
      if (target.routes.length === 0) continue;
      const integration = new HttpLambdaIntegration(`${target.id}Integration`, target.function, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      for (const route of target.routes) {
        const routes = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.authorized ? authorizer : noAuthorizer,
        });
        if (!route.authorized) {
          for (const created of routes) {
            Validations.of(created).acknowledge({
              id: 'AwsSolutions-APIG4',
              reason:
                `${route.method} ${route.path} is public by design (shared/contracts/function-manifest.ts marks it ` +
                'authorized: false): load balancers, uptime checks and API clients call it without a key.',
            });
          }
        }
      }
    }
  }

  /** The stage URL, ending in a slash. */
  get url(): string {
    return this.stage.url;
  }
}
