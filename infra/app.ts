/**
 * CDK entry point (`cdk.json` runs it with tsx): one Arbiter stack per stage, checked by cdk-nag's
 * AwsSolutions and Serverless packs. A finding that is not acknowledged in code, with its reason, fails
 * the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { ArbiterStack } from './arbiter-stack.js';
import { readDeploymentConfig } from './config.js';
import { nagPacks } from './nag-packs.js';

const app = new App();
const { stage, throttle, defaultJudgeModel, egressAllow, cacheTtlSeconds } = readDeploymentConfig(app.node);
const logLevel = app.node.tryGetContext('logLevel') as string | undefined;

new ArbiterStack(app, `Arbiter-${stage}`, {
  stackName: `Arbiter-${stage}`,
  stage,
  throttle,
  logLevel,
  defaultJudgeModel,
  egressAllow,
  cacheTtlSeconds,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tags: { service: 'arbiter', stage },
});

// cdk-nag 3 is a policy-validation plugin, not an Aspect: it runs after synthesis.
Validations.of(app).addPlugins(...nagPacks(app));
