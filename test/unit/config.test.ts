import { localStackConfig, optionalTableName, queueUrl, resetConfigForTests, serviceConfig, tableName } from '#shared/platform/config.js';

const variables = [
  'ARBITER_STAGE',
  'ARBITER_CHUNK_SIZE',
  'ARBITER_CHUNK_WINDOW',
  'ARBITER_CHUNK_LEASE_SECONDS',
  'ARBITER_MAX_REDRIVES',
  'ARBITER_CREDENTIALS',
  'ARBITER_DEFAULT_JUDGE_MODEL',
  'ARBITER_ALLOWED_KEY_ENV',
  'ARBITER_TENANT_SECRETS_ROLE_ARN',
  'ARBITER_DUPLICATE_DELIVERY',
  'ARBITER_IN_MEMORY',
  'ARBITER_SCHEDULE_INTERVAL_SECONDS',
  'ARBITER_FAUXQS_CLI',
  'PORT',
  'CONFIG_TEST_TABLE',
  'CONFIG_TEST_QUEUE_URL',
];
const before = Object.fromEntries(variables.map((name) => [name, process.env[name]]));

beforeEach(() => {
  for (const name of variables) delete process.env[name];
  resetConfigForTests();
});

afterAll(() => {
  for (const name of variables) {
    if (before[name] === undefined) delete process.env[name];
    else process.env[name] = before[name];
  }
  resetConfigForTests();
});

describe('defaults', () => {
  it('gives the documented defaults when a variable is unset or empty', () => {
    process.env.ARBITER_STAGE = '';
    expect(serviceConfig.stage).toBe('local');
    expect(serviceConfig.chunkSize).toBeUndefined();
    expect(serviceConfig.chunkLeaseSeconds).toBe(30);
    expect(serviceConfig.maxRedrives).toBe(3);
    expect(serviceConfig.credentials).toBe('secretsManager');
    expect(serviceConfig.defaultJudgeModel).toBeUndefined();
    expect(serviceConfig.allowedKeyEnv).toEqual([]);
    expect(serviceConfig.tenantSecretsRoleArn).toBeUndefined();
    expect(localStackConfig.port).toBe(3000);
    expect(localStackConfig.inMemory).toBe(false);
    expect(localStackConfig.pollWaitSeconds).toBe(20);
    expect(localStackConfig.duplicateDelivery).toBe('off');
    expect(localStackConfig.scheduleIntervalSeconds).toBeUndefined();
    expect(optionalTableName('CONFIG_TEST_TABLE')).toBeUndefined();
  });
});

describe('valid values', () => {
  it('parses each kind of setting', () => {
    Object.assign(process.env, {
      ARBITER_STAGE: 'pr-12',
      ARBITER_CHUNK_SIZE: '250',
      ARBITER_CHUNK_LEASE_SECONDS: '2.5',
      ARBITER_MAX_REDRIVES: '0',
      ARBITER_CREDENTIALS: 'env',
      ARBITER_DEFAULT_JUDGE_MODEL: 'anthropic.claude-3-haiku-20240307-v1:0',
      ARBITER_ALLOWED_KEY_ENV: 'TEAM_OPENAI_KEY, VLLM_KEY',
      ARBITER_TENANT_SECRETS_ROLE_ARN: 'arn:aws:iam::123456789012:role/Arbiter-prod-TenantSecretsReader1A2B3C',
      ARBITER_DUPLICATE_DELIVERY: 'sequential',
      ARBITER_IN_MEMORY: '1',
      ARBITER_SCHEDULE_INTERVAL_SECONDS: '0.5',
      PORT: '0',
      CONFIG_TEST_TABLE: 'arbiter-local-Evaluations',
      CONFIG_TEST_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/arbiter-local-WorkQueue',
    });
    expect(serviceConfig.stage).toBe('pr-12');
    expect(serviceConfig.chunkSize).toBe(250);
    expect(serviceConfig.chunkLeaseSeconds).toBe(2.5);
    expect(serviceConfig.maxRedrives).toBe(0);
    expect(serviceConfig.credentials).toBe('env');
    expect(serviceConfig.defaultJudgeModel).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(serviceConfig.allowedKeyEnv).toEqual(['TEAM_OPENAI_KEY', 'VLLM_KEY']);
    expect(serviceConfig.tenantSecretsRoleArn).toBe('arn:aws:iam::123456789012:role/Arbiter-prod-TenantSecretsReader1A2B3C');
    expect(localStackConfig.duplicateDelivery).toBe('sequential');
    expect(localStackConfig.inMemory).toBe(true);
    expect(localStackConfig.scheduleIntervalSeconds).toBe(0.5);
    expect(localStackConfig.port).toBe(0);
    expect(tableName('CONFIG_TEST_TABLE')).toBe('arbiter-local-Evaluations');
    expect(queueUrl('CONFIG_TEST_QUEUE_URL')).toBe('http://127.0.0.1:9324/000000000000/arbiter-local-WorkQueue');
  });

  it('keeps a value once read, sees a variable set after an unset read, and forgets on reset', () => {
    expect(serviceConfig.chunkSize).toBeUndefined();
    process.env.ARBITER_CHUNK_SIZE = '4';
    expect(serviceConfig.chunkSize).toBe(4);
    process.env.ARBITER_CHUNK_SIZE = '5';
    expect(serviceConfig.chunkSize).toBe(4);
    resetConfigForTests();
    expect(serviceConfig.chunkSize).toBe(5);
  });
});

describe('invalid values', () => {
  it.each([
    ['ARBITER_CHUNK_SIZE', 'abc', () => serviceConfig.chunkSize, 'ARBITER_CHUNK_SIZE must be a whole number from 1 to 1000, got "abc"'],
    ['ARBITER_CHUNK_SIZE', '0', () => serviceConfig.chunkSize, 'ARBITER_CHUNK_SIZE must be a whole number from 1 to 1000, got "0"'],
    ['ARBITER_CHUNK_WINDOW', '0', () => serviceConfig.chunkWindow, 'ARBITER_CHUNK_WINDOW must be a whole number from 1 to 1000, got "0"'],
    ['ARBITER_CHUNK_LEASE_SECONDS', '0', () => serviceConfig.chunkLeaseSeconds, 'ARBITER_CHUNK_LEASE_SECONDS must be a number of seconds above 0'],
    ['ARBITER_MAX_REDRIVES', '2.5', () => serviceConfig.maxRedrives, 'ARBITER_MAX_REDRIVES must be a whole number from 0 to 100, got "2.5"'],
    [
      'ARBITER_STAGE',
      '1st',
      () => serviceConfig.stage,
      'ARBITER_STAGE must be 1 to 20 letters, digits or hyphens, starting with a letter, got "1st"',
    ],
    ['ARBITER_CREDENTIALS', 'ENV', () => serviceConfig.credentials, 'ARBITER_CREDENTIALS must be env, or unset for Secrets Manager, got "ENV"'],
    ['ARBITER_DEFAULT_JUDGE_MODEL', 'a judge', () => serviceConfig.defaultJudgeModel, 'ARBITER_DEFAULT_JUDGE_MODEL must be a model id'],
    [
      'ARBITER_ALLOWED_KEY_ENV',
      'TEAM_KEY,home',
      () => serviceConfig.allowedKeyEnv,
      'ARBITER_ALLOWED_KEY_ENV must be a comma-separated list of environment variable names (A-Z, 0-9, _), got "TEAM_KEY,home"',
    ],
    ['ARBITER_ALLOWED_KEY_ENV', 'TEAM_KEY,', () => serviceConfig.allowedKeyEnv, 'ARBITER_ALLOWED_KEY_ENV must be a comma-separated list'],
    [
      'ARBITER_TENANT_SECRETS_ROLE_ARN',
      'TenantSecretsReader',
      () => serviceConfig.tenantSecretsRoleArn,
      'ARBITER_TENANT_SECRETS_ROLE_ARN must be an IAM role ARN',
    ],
    [
      'ARBITER_DUPLICATE_DELIVERY',
      'twice',
      () => localStackConfig.duplicateDelivery,
      'ARBITER_DUPLICATE_DELIVERY must be concurrent, sequential or off, got "twice"',
    ],
    ['ARBITER_IN_MEMORY', 'true', () => localStackConfig.inMemory, 'ARBITER_IN_MEMORY must be 1 or 0, got "true"'],
    [
      'ARBITER_SCHEDULE_INTERVAL_SECONDS',
      '-1',
      () => localStackConfig.scheduleIntervalSeconds,
      'ARBITER_SCHEDULE_INTERVAL_SECONDS must be a number of seconds above 0',
    ],
    ['PORT', '70000', () => localStackConfig.port, 'PORT must be a whole number from 0 to 65535, got "70000"'],
    ['CONFIG_TEST_TABLE', 'a b', () => tableName('CONFIG_TEST_TABLE'), 'CONFIG_TEST_TABLE must be a DynamoDB table name'],
    ['CONFIG_TEST_QUEUE_URL', 'queue', () => queueUrl('CONFIG_TEST_QUEUE_URL'), 'CONFIG_TEST_QUEUE_URL must be an SQS queue URL'],
  ])('%s=%s throws naming the variable', (name, value, read, message) => {
    process.env[name] = value;
    expect(read).toThrow(message);
  });

  it('names a required variable that is missing', () => {
    expect(() => tableName('CONFIG_TEST_TABLE')).toThrow('Missing required environment variable CONFIG_TEST_TABLE');
    expect(() => localStackConfig.fauxqsCli).toThrow('Missing required environment variable ARBITER_FAUXQS_CLI');
  });
});
