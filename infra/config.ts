/**
 * Deployment settings read from CDK context (`cdk.json` or `-c key=value`), validated here so a typo fails
 * the synth with a message that says what to type instead.
 */
import type { Node } from 'constructs';
import { DEFAULT_JUDGE_MODEL_ID } from '#shared/contracts/models/builtin-defaults.js';
import { parseEgressAllow } from '#shared/platform/provider-settings.js';

export interface ThrottleSettings {
  rateLimit: number;
  burstLimit: number;
}

export interface DeploymentConfig {
  stage: string;
  throttle: ThrottleSettings;
  /** The judge model of judged metrics that name none. */
  defaultJudgeModel: string;
  /** Hosts and CIDRs model calls may reach beyond public addresses (ARBITER_EGRESS_ALLOW). */
  egressAllow: string[];
  /** Lifetime of response-cache entries (ARBITER_CACHE_TTL_SECONDS); undefined: the service's default. */
  cacheTtlSeconds?: number;
}

/** Stages whose data must survive a `cdk destroy` (tables and log groups are retained). */
const PERSISTENT_STAGES = new Set(['prod']);

const STAGE_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

export const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

export function isPersistentStage(stage: string): boolean {
  return PERSISTENT_STAGES.has(stage);
}

export function parseStage(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new Error('Missing CDK context "stage". Pass one, e.g. `npx cdk deploy -c stage=prod` (cdk.json defaults to "dev").');
  }
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value)) {
    throw new Error(
      `Invalid CDK context stage=${JSON.stringify(value)}: use 1 to 20 letters, digits or hyphens, starting with a ` +
        'letter (e.g. dev, prod, pr-123). It becomes part of the stack name Arbiter-<stage>.',
    );
  }
  return value;
}

function parsePositiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  // `-c name=50` arrives as a string, cdk.json values as numbers.
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`Invalid CDK context ${name}=${JSON.stringify(value)}: expected a positive integer.`);
  }
  return parsed;
}

function parseModelId(name: string, value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,200}$/.test(value)) {
    throw new Error(`Invalid CDK context ${name}=${JSON.stringify(value)}: expected a model id (letters, digits and . _ : -), e.g. ${fallback}.`);
  }
  return value;
}

export function readDeploymentConfig(node: Node): DeploymentConfig {
  const stage = parseStage(node.tryGetContext('stage'));
  const setting = (name: keyof ThrottleSettings, key: string) => parsePositiveInteger(key, node.tryGetContext(key), DEFAULT_THROTTLE[name]);
  const throttle = {
    rateLimit: setting('rateLimit', 'throttleRateLimit'),
    burstLimit: setting('burstLimit', 'throttleBurstLimit'),
  };
  return {
    stage,
    throttle,
    defaultJudgeModel: parseModelId('defaultJudgeModel', node.tryGetContext('defaultJudgeModel'), DEFAULT_JUDGE_MODEL_ID),
    egressAllow: parseEgressAllowContext(node.tryGetContext('egressAllow')),
    cacheTtlSeconds: parseCacheTtl(node.tryGetContext('cacheTtlSeconds')),
  };
}

/** `-c egressAllow=models.internal,10.20.0.0/16` arrives as a string, a cdk.json value may be a list. */
export function parseEgressAllowContext(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return parseEgressAllow(value.join(','), 'CDK context egressAllow');
  if (typeof value === 'string') return parseEgressAllow(value, 'CDK context egressAllow');
  throw new Error(`Invalid CDK context egressAllow=${JSON.stringify(value)}: expected host names and CIDRs, comma-separated or as a list.`);
}

/** The service accepts 60 s to 365 days (shared/platform/config.ts); refused here so a bad value fails the synth, not the first chunk. */
export function parseCacheTtl(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const seconds = parsePositiveInteger('cacheTtlSeconds', value, 0);
  if (seconds < 60 || seconds > 31_536_000) {
    throw new Error(`Invalid CDK context cacheTtlSeconds=${JSON.stringify(value)}: expected whole seconds from 60 to 31536000 (365 days).`);
  }
  return seconds;
}
