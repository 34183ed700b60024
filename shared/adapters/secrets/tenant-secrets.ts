/**
 * Secrets Manager clients that act as one tenant. The evaluator's own role may read only the deployment's
 * secrets (`arbiter/deployment/*`); a tenant's secret is read with the credentials of a role session on the
 * tenant-secrets reader role, opened with the session tag `tenant=<tenant_id>`. That role's policy allows
 * GetSecretValue only on `arbiter/tenants/${aws:PrincipalTag/tenant}/*`, so even a model record naming
 * another tenant's secret (registration refuses it; the call path refuses it again) is stopped by IAM.
 *
 * STS is reached through `AssumeRole`, the shape of `STSClient.send(new AssumeRoleCommand(request))`'s
 * `Credentials`: tests pass a double, a deployment the STS client (docs/security.md).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TENANT_SESSION_TAG } from '../../contracts/models/credential-names.js';

export interface AssumeRoleRequest {
  RoleArn: string;
  RoleSessionName: string;
  Tags: { Key: string; Value: string }[];
  DurationSeconds: number;
}

export interface TemporaryCredentials {
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SessionToken?: string;
  Expiration?: Date;
}

export type AssumeRole = (request: AssumeRoleRequest) => Promise<TemporaryCredentials | undefined>;

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

export interface TenantSecretsClientsOptions {
  /** The reader role (`ARBITER_TENANT_SECRETS_ROLE_ARN`). */
  roleArn: string;
  assumeRole: AssumeRole;
  /** Builds the client of one tenant from its session's credentials; tests point it at a wire server. */
  createClient?: (credentials: () => Promise<SessionCredentials>) => SecretsManagerClient;
  /** STS's minimum: keys are cached for minutes, so a longer session buys nothing. */
  sessionSeconds?: number;
}

/** RoleSessionName allows 64 characters of `[\w+=,.@-]`; tenant ids are `[a-z0-9-]`, at most 63. */
const sessionName = (tenantId: string) => `arbiter-${tenantId}`.slice(0, 64);

export class TenantSecretsClients {
  private readonly options: TenantSecretsClientsOptions;
  /** One client per tenant and container; its SDK refreshes the session's credentials before they expire. */
  private readonly clients = new Map<string, SecretsManagerClient>();

  constructor(options: TenantSecretsClientsOptions) {
    this.options = options;
  }

  clientFor(tenantId: string): SecretsManagerClient {
    let client = this.clients.get(tenantId);
    if (!client) {
      const credentials = () => this.session(tenantId);
      client = this.options.createClient?.(credentials) ?? new SecretsManagerClient({ credentials });
      this.clients.set(tenantId, client);
    }
    return client;
  }

  private async session(tenantId: string): Promise<SessionCredentials> {
    const credentials = await this.options.assumeRole({
      RoleArn: this.options.roleArn,
      RoleSessionName: sessionName(tenantId),
      Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
      DurationSeconds: this.options.sessionSeconds ?? 900,
    });
    const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: expiration } = credentials ?? {};
    if (!accessKeyId || !secretAccessKey || !sessionToken) throw new Error(`STS AssumeRole on ${this.options.roleArn} answered without credentials`);
    return { accessKeyId, secretAccessKey, sessionToken, ...(expiration ? { expiration } : {}) };
  }
}

let stsAssumeRole: AssumeRole | undefined;
let sts: import('@aws-sdk/client-sts').STSClient | undefined;

/**
 * The deployment's `AssumeRole`: one STS client per container, loaded on first use so containers that
 * never read a tenant secret pay nothing for it.
 */
export function assumeRoleWithSts(): AssumeRole {
  stsAssumeRole ??= async (request) => {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    sts ??= new STSClient({});
    return (await sts.send(new AssumeRoleCommand(request))).Credentials;
  };
  return stsAssumeRole;
}
