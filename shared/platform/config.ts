/**
 * Arbiter's configuration: every environment variable the service's own code reads, validated with valibot
 * in this one module, so a typo fails with the variable's name and what it must be
 * (`ARBITER_CHUNK_SIZE must be a whole number from 1 to 1000, got "abc"`) instead of quietly becoming a
 * default or NaN.
 *
 * - `serviceConfig`: the `ARBITER_*` settings of the functions (deployed and local).
 * - `localStackConfig`: the local stack's own settings (`npm start`, its emulators, `npm run invoke`).
 * - `tableName(envVar)`, `optionalTableName(envVar)`, `queueUrl(envVar)`: the resources the stack passes
 *   in. Their variable names stay in `shared/contracts/resources.ts` (`envVar`), next to the definitions
 *   that infra/ and local/ build the tables and queues from; platform may not import contracts, so the
 *   caller passes the name, as it passed it to `requireEnv` before.
 *
 * Each variable is read and validated where the code read it before (most when their module loads,
 * `ARBITER_CHUNK_SIZE` at each plan), and a value found is kept: a Lambda container parses it once. Lazy per
 * variable rather than all at once, and an unset variable is looked at again on its next use, because
 * tests set variables after the modules have loaded (`test/integration/faults-*.test.ts` set
 * `ARBITER_CHUNK_SIZE` in `beforeAll`, long after metrics.ts read the stage): a snapshot taken at the
 * first access would miss them. `resetConfigForTests()` forgets the values kept, for a test that changes one.
 *
 * An empty variable counts as unset, as `requireEnv` treated it. A default that belongs to another layer
 * stays there and the setting is `undefined` when unset: the chunk size and window (`DEFAULT_CHUNK_SIZE`,
 * `DEFAULT_CHUNK_WINDOW`, the planner's), the stall time (twice the work queue's visibility timeout, a
 * contract), the export cap (`DEFAULT_EXPORT_MAX_BYTES`, the export's) and the local evaluator's concurrency (the deployed maximum,
 * capped at 4). Plain defaults are written here.
 *
 * Not here: what Powertools and the AWS SDK read themselves (`LOG_LEVEL`, `POWERTOOLS_*`, `AWS_*`), the
 * provider keys a model names in `api_key_env` (read on each call, so a key exported later is seen), and
 * the local stack's signals between parent and child processes (`ARBITER_STACK_CHILD`, `ARBITER_SEED_INPUT`,
 * `ARBITER_RESUME_REASON`).
 */
import * as v from 'valibot';
import { readEgressSettings, readResponseLimits, type EgressSettings, type ResponseLimits } from './provider-settings.js';

interface Parser<T> {
  /** What a valid value is, completing "<VARIABLE> must be …". */
  must: string;
  schema: v.GenericSchema<string, T>;
}

const read = new Map<string, unknown>();

/** The variable's validated value, undefined while it is unset or empty; a value found is kept. */
function lookup<T>(variable: string, parser: Parser<T>): T | undefined {
  if (read.has(variable)) return read.get(variable) as T;
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return undefined;
  const parsed = v.safeParse(parser.schema, raw);
  if (!parsed.success) throw new Error(`${variable} must be ${parser.must}, got ${JSON.stringify(raw)}`);
  read.set(variable, parsed.output);
  return parsed.output;
}

function required<T>(variable: string, parser: Parser<T>): T {
  const value = lookup(variable, parser);
  if (value === undefined) throw new Error(`Missing required environment variable ${variable}`);
  return value;
}

/** Forgets every value read, so a test that changes a variable sees the new value on the next access. */
export function resetConfigForTests(): void {
  read.clear();
}

const wholeNumber = (min: number, max: number): Parser<number> => ({
  must: `a whole number from ${min} to ${max}`,
  schema: v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.minValue(min), v.maxValue(max)),
});

const oneOf = <const T extends string>(values: readonly [T, T, ...T[]]): Parser<T> => ({
  must: `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`,
  schema: v.picklist(values),
});

const anyText: Parser<string> = { must: 'text', schema: v.string() };

// The CDK context's rule for a stage (infra/config.ts): the stage becomes part of the stack's name.
const stageName: Parser<string> = {
  must: '1 to 20 letters, digits or hyphens, starting with a letter',
  schema: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9-]{0,19}$/)),
};

const modelId: Parser<string> = {
  must: 'a model id (at most 200 letters, digits and . _ : -)',
  schema: v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,200}$/)),
};

const functionIds: Parser<string> = {
  must: 'function ids from the manifest, comma-separated',
  schema: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/)),
};

const positiveSeconds: Parser<number> = {
  must: 'a number of seconds above 0 and at most 86400',
  schema: v.pipe(v.string(), v.decimal(), v.transform(Number), v.gtValue(0), v.maxValue(86_400)),
};

const flag: Parser<boolean> = {
  must: '1 or 0',
  schema: v.pipe(
    v.picklist(['1', '0']),
    v.transform((value) => value === '1'),
  ),
};

const dynamoDbTableName: Parser<string> = {
  must: 'a DynamoDB table name (3 to 255 letters, digits, _ - .)',
  schema: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{3,255}$/)),
};

const sqsQueueUrl: Parser<string> = {
  must: 'an SQS queue URL (http:// or https://)',
  schema: v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//)),
};

// The registration schema's rule for an `api_key_env` name, one name per comma-separated entry.
const variableNames: Parser<readonly string[]> = {
  must: 'a comma-separated list of environment variable names (A-Z, 0-9, _)',
  schema: v.pipe(
    v.string(),
    v.transform((text) => text.split(',').map((name) => name.trim())),
    v.check((names) => names.every((name) => /^[A-Z_][A-Z0-9_]{0,127}$/.test(name))),
  ),
};

const iamRoleArn: Parser<string> = {
  must: 'an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)',
  schema: v.pipe(v.string(), v.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/)),
};

export type CredentialSource = 'env' | 'secretsManager';

const environmentCredentials: Parser<'env'> = { must: 'env, or unset for Secrets Manager', schema: v.literal('env') };

/** A week: CI re-runs of one change come within days, and a model behind a stable id rarely changes faster. */
export const DEFAULT_CACHE_TTL_SECONDS = 7 * 24 * 3600;

/** The functions' settings. */
export const serviceConfig = {
  /** `ARBITER_STAGE`: the stage dimension of every metric. The stack sets it; default `local`. */
  get stage(): string {
    return lookup('ARBITER_STAGE', stageName) ?? 'local';
  },
  /** `ARBITER_CHUNK_SIZE`: items per evaluator chunk, 1–1000; unset: the planner's DEFAULT_CHUNK_SIZE. */
  get chunkSize(): number | undefined {
    return lookup('ARBITER_CHUNK_SIZE', wholeNumber(1, 1000));
  },
  /**
   * `ARBITER_CHUNK_WINDOW`: chunk messages one evaluation may have in flight at once, 1–1000; the evaluator
   * sends the next as each is counted. Unset: the planner's DEFAULT_CHUNK_WINDOW.
   */
  get chunkWindow(): number | undefined {
    return lookup('ARBITER_CHUNK_WINDOW', wholeNumber(1, 1000));
  },
  /**
   * `ARBITER_CHUNK_LEASE_SECONDS`: how long a chunk delivery's lease lasts unless renewed (it is renewed
   * every third of that while the delivery runs); what a crashed delivery costs a redelivery in waiting.
   * Default 30.
   */
  get chunkLeaseSeconds(): number {
    return lookup('ARBITER_CHUNK_LEASE_SECONDS', positiveSeconds) ?? 30;
  },
  /** `ARBITER_STALL_AFTER_SECONDS`: when the reconciler calls an evaluation stalled; unset: 2 × the work queue's visibility timeout. */
  get stallAfterSeconds(): number | undefined {
    return lookup('ARBITER_STALL_AFTER_SECONDS', wholeNumber(1, 86_400));
  },
  /** `ARBITER_MAX_REDRIVES`: re-drives of a stalled evaluation before it fails as `stalled`; default 3. */
  get maxRedrives(): number {
    return lookup('ARBITER_MAX_REDRIVES', wholeNumber(0, 100)) ?? 3;
  },
  /** `ARBITER_EXPORT_MAX_BYTES`: size cap of one export response (tests lower it), at most Lambda's 6 MB; unset: DEFAULT_EXPORT_MAX_BYTES. */
  get exportMaxBytes(): number | undefined {
    return lookup('ARBITER_EXPORT_MAX_BYTES', wholeNumber(1, 6_000_000));
  },
  /**
   * `ARBITER_CACHE_TTL_SECONDS`: how long a response-cache entry is answered from, 60 s to 365 days;
   * default 7 days (docs/reliability.md "Response cache").
   */
  get cacheTtlSeconds(): number {
    return lookup('ARBITER_CACHE_TTL_SECONDS', wholeNumber(60, 31_536_000)) ?? DEFAULT_CACHE_TTL_SECONDS;
  },
  /**
   * `ARBITER_RESPONSE_CACHE=off`: the operator's switch for the whole deployment (no entry is read or
   * written, whatever an evaluation's `cache` says); unset or `on`: evaluations choose.
   */
  get responseCacheEnabled(): boolean {
    return (lookup('ARBITER_RESPONSE_CACHE', oneOf(['on', 'off'])) ?? 'on') === 'on';
  },
  /** `ARBITER_DEFAULT_JUDGE_MODEL`: the judge of judged metrics that name none; unset: judged metrics must name one. */
  get defaultJudgeModel(): string | undefined {
    return lookup('ARBITER_DEFAULT_JUDGE_MODEL', modelId);
  },
  /** `ARBITER_CREDENTIALS=env`: provider keys from environment variables (the local stack); unset: Secrets Manager. */
  get credentials(): CredentialSource {
    return lookup('ARBITER_CREDENTIALS', environmentCredentials) ?? 'secretsManager';
  },
  /** `ARBITER_EGRESS_POLICY` (`cloud` unless set) and `ARBITER_EGRESS_ALLOW`: where model calls may go. */
  get egress(): EgressSettings {
    if (!read.has(EGRESS)) read.set(EGRESS, readEgressSettings(process.env));
    return read.get(EGRESS) as EgressSettings;
  },
  /** `ARBITER_MAX_RESPONSE_BYTES` (4 MiB) and `ARBITER_MAX_ANSWER_BYTES` (64 KiB): what is read and kept of a provider's answer. */
  get responseLimits(): ResponseLimits {
    if (!read.has(RESPONSE_LIMITS)) read.set(RESPONSE_LIMITS, readResponseLimits(process.env));
    return read.get(RESPONSE_LIMITS) as ResponseLimits;
  },
  /**
   * `ARBITER_ALLOWED_KEY_ENV`: the variables a model's `api_key_env` may name, comma-separated; unset:
   * none. The deployment's own provider variables need no entry and serve only their official endpoint.
   */
  get allowedKeyEnv(): readonly string[] {
    return lookup('ARBITER_ALLOWED_KEY_ENV', variableNames) ?? [];
  },
  /**
   * `ARBITER_TENANT_SECRETS_ROLE_ARN`: the role the evaluator assumes, tagged with the tenant, to read that
   * tenant's secrets (the stack sets it); unset: tenant secrets cannot be read.
   */
  get tenantSecretsRoleArn(): string | undefined {
    return lookup('ARBITER_TENANT_SECRETS_ROLE_ARN', iamRoleArn);
  },
};

// The egress and response settings are parsed together (provider-settings.ts), so they are kept under one key each.
const EGRESS = 'ARBITER_EGRESS_POLICY+ARBITER_EGRESS_ALLOW';
const RESPONSE_LIMITS = 'ARBITER_MAX_RESPONSE_BYTES+ARBITER_MAX_ANSWER_BYTES';

/** The local stack's settings; docs/local-stack.md describes them. */
export const localStackConfig = {
  /** `PORT`: the local API's port, 0 for any free one; default 3000. */
  get port(): number {
    return lookup('PORT', wholeNumber(0, 65_535)) ?? 3000;
  },
  /** `ARBITER_DEV_API_KEY`: the development tenant's key; unset: the seed generates one. */
  get devApiKey(): string | undefined {
    return lookup('ARBITER_DEV_API_KEY', anyText);
  },
  /** `ARBITER_DATA_DIR`: where the local stack keeps its data; unset: `.data/`, the stack's own default. */
  get dataDir(): string | undefined {
    return lookup('ARBITER_DATA_DIR', anyText);
  },
  /** `ARBITER_IN_MEMORY=1`: DynamoDB data in memory only; default off. */
  get inMemory(): boolean {
    return lookup('ARBITER_IN_MEMORY', flag) ?? false;
  },
  /** `ARBITER_VISIBILITY_TIMEOUT_SECONDS`: replaces every local queue's visibility timeout; unset: the definitions'. */
  get visibilityTimeoutSeconds(): number | undefined {
    return lookup('ARBITER_VISIBILITY_TIMEOUT_SECONDS', wholeNumber(0, 43_200));
  },
  /** `ARBITER_EVALUATOR_CONCURRENCY`: pollers per queue; unset: the deployed maximum concurrency, capped at 4. */
  get evaluatorConcurrency(): number | undefined {
    return lookup('ARBITER_EVALUATOR_CONCURRENCY', wholeNumber(1, 1000));
  },
  /** `ARBITER_POLL_WAIT_SECONDS`: long-poll wait of each ReceiveMessage; default 20, SQS's maximum. */
  get pollWaitSeconds(): number {
    return lookup('ARBITER_POLL_WAIT_SECONDS', wholeNumber(1, 20)) ?? 20;
  },
  /** `ARBITER_DUPLICATE_DELIVERY`: fault injection, every batch handed to the handler twice; default off. */
  get duplicateDelivery(): 'off' | 'concurrent' | 'sequential' {
    return lookup('ARBITER_DUPLICATE_DELIVERY', oneOf(['concurrent', 'sequential', 'off'])) ?? 'off';
  },
  /** `ARBITER_LOCAL_SKIP_SCHEDULES`: scheduled functions (manifest ids, comma-separated) the local stack does not run. */
  get skippedSchedules(): string[] {
    return (lookup('ARBITER_LOCAL_SKIP_SCHEDULES', functionIds) ?? '').split(',').filter(Boolean);
  },
  /** `ARBITER_SCHEDULE_INTERVAL_SECONDS`: runs every schedule this often locally; unset: each function's schedule. */
  get scheduleIntervalSeconds(): number | undefined {
    return lookup('ARBITER_SCHEDULE_INTERVAL_SECONDS', positiveSeconds);
  },
  /** `ARBITER_DYNAMODB_PORT`, required: the port dynamodb-local-process.ts gives the JVM (set by dynamodb-local.ts). */
  get dynamoDbPort(): number {
    return required('ARBITER_DYNAMODB_PORT', wholeNumber(1, 65_535));
  },
  /** `ARBITER_DYNAMODB_PATH`: the JVM's data folder; unset: in memory. */
  get dynamoDbPath(): string | undefined {
    return lookup('ARBITER_DYNAMODB_PATH', anyText);
  },
  /** `ARBITER_LOCAL_EVALUATORS`: evaluator processes the local stack runs, each supervised; default 1. */
  get localEvaluators(): number {
    return lookup('ARBITER_LOCAL_EVALUATORS', wholeNumber(1, 16)) ?? 1;
  },
  /** `ARBITER_STOP_GRACE_SECONDS`: how long a stopping evaluator may finish its batches before it is killed; default 30. */
  get stopGraceSeconds(): number {
    return lookup('ARBITER_STOP_GRACE_SECONDS', positiveSeconds) ?? 30;
  },
  /** `ARBITER_HEARTBEAT_STALE_SECONDS`: an evaluator whose last heartbeat is older is reported stuck by `/health`; default 15. */
  get heartbeatStaleSeconds(): number {
    return lookup('ARBITER_HEARTBEAT_STALE_SECONDS', positiveSeconds) ?? 15;
  },
  /** `ARBITER_LOCAL_HEARTBEAT_DIR`: where evaluators beat and `/health` looks (set by the stack); unset: no evaluator check. */
  get heartbeatDir(): string | undefined {
    return lookup('ARBITER_LOCAL_HEARTBEAT_DIR', anyText);
  },
  /** `ARBITER_EVALUATOR_NAME`: the evaluator process's slot, e.g. `evaluator-2` (set by the stack); default `evaluator-1`. */
  get evaluatorName(): string {
    return lookup('ARBITER_EVALUATOR_NAME', anyText) ?? 'evaluator-1';
  },
  /** `ARBITER_EVALUATOR_RESTARTS`: how often the stack has restarted this evaluator slot (set by the stack, for its heartbeat); default 0. */
  get evaluatorRestarts(): number {
    return lookup('ARBITER_EVALUATOR_RESTARTS', wholeNumber(0, 1_000_000)) ?? 0;
  },
  /**
   * `ARBITER_TEST_SPIN_ON_MESSAGE`, tests only: the evaluator poller blocks its event loop for good on the
   * first message whose body contains this text, as a wedged computation would; unset: never.
   */
  get testSpinOnMessage(): string | undefined {
    return lookup('ARBITER_TEST_SPIN_ON_MESSAGE', anyText);
  },
  /** `ARBITER_FAUXQS_CLI`, required: the SQS emulator's CLI, for sqs-emulator-process.ts (set by sqs-emulator.ts). */
  get fauxqsCli(): string {
    return required('ARBITER_FAUXQS_CLI', anyText);
  },
};

/** The DynamoDB table named in `envVar` (a table definition's `envVar`); throws when it is missing. */
export function tableName(envVar: string): string {
  return required(envVar, dynamoDbTableName);
}

/** The same for a table a function only sometimes needs: undefined when `envVar` is unset. */
export function optionalTableName(envVar: string): string | undefined {
  return lookup(envVar, dynamoDbTableName);
}

/** The SQS queue URL named in `envVar` (a queue definition's `envVar`); throws when it is missing. */
export function queueUrl(envVar: string): string {
  return required(envVar, sqsQueueUrl);
}
