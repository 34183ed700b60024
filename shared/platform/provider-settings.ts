/**
 * The operator's settings for calls to model servers: where they may go (egress) and how much of what
 * they send is read and kept. Read from the environment in one place, failing fast with the variable's
 * name; the CDK stack and the local stack set them (infra/arbiter-stack.ts, local/handler-env.ts).
 */
import ipaddr from 'ipaddr.js';

export const egressModes = ['cloud', 'local'] as const;
/** `cloud`: public unicast addresses over https only. `local`: the same, plus loopback and plain http. */
export type EgressMode = (typeof egressModes)[number];

export interface EgressSettings {
  mode: EgressMode;
  /** Host names (lower case) and CIDRs (`10.0.0.0/8`; a bare address is one host) that are always allowed. */
  allow: string[];
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/;

/**
 * The allowlist's entries, comma- or space-separated, each a host name or a CIDR (a bare address counts
 * as one host); throws on an entry that is neither, naming it, so a typo fails at start-up, not at call time.
 */
export function parseEgressAllow(text: string, source = 'ARBITER_EGRESS_ALLOW'): string[] {
  const entries = text
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  for (const entry of entries) {
    if (ipaddr.isValidCIDR(entry) || ipaddr.isValid(entry) || HOST_NAME.test(entry)) continue;
    throw new Error(`Invalid ${source} entry ${JSON.stringify(entry)}: expected a host name (models.internal) or a CIDR (10.0.0.0/8)`);
  }
  return entries;
}

/** ARBITER_EGRESS_POLICY (`cloud` unless set: a deployment that forgot it stays closed) and ARBITER_EGRESS_ALLOW. */
export function readEgressSettings(env: NodeJS.ProcessEnv = process.env): EgressSettings {
  const mode = env.ARBITER_EGRESS_POLICY || 'cloud';
  if (!(egressModes as readonly string[]).includes(mode)) {
    throw new Error(`Invalid ARBITER_EGRESS_POLICY ${JSON.stringify(mode)}: expected ${egressModes.join(' or ')}`);
  }
  return { mode: mode as EgressMode, allow: parseEgressAllow(env.ARBITER_EGRESS_ALLOW ?? '') };
}

export interface ResponseLimits {
  /** Bytes read of any provider response; a longer one fails the call without the rest being read. */
  maxResponseBytes: number;
  /** Bytes of UTF-8 kept of an answer; a longer one is stored cut, flagged `truncated`. */
  maxAnswerBytes: number;
}

export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = { maxResponseBytes: 4 * 1024 * 1024, maxAnswerBytes: 64 * 1024 };

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new Error(`Invalid ${name} ${JSON.stringify(value)}: expected a positive whole number of bytes`);
  return parsed;
}

/** ARBITER_MAX_RESPONSE_BYTES and ARBITER_MAX_ANSWER_BYTES. */
export function readResponseLimits(env: NodeJS.ProcessEnv = process.env): ResponseLimits {
  return {
    maxResponseBytes: positiveInteger(env, 'ARBITER_MAX_RESPONSE_BYTES', DEFAULT_RESPONSE_LIMITS.maxResponseBytes),
    maxAnswerBytes: positiveInteger(env, 'ARBITER_MAX_ANSWER_BYTES', DEFAULT_RESPONSE_LIMITS.maxAnswerBytes),
  };
}
