/**
 * The role through which the evaluator reads a tenant's provider keys, so that IAM, not only registration
 * and the call path, keeps tenant A's model out of tenant B's secrets (docs/security.md).
 *
 * The evaluator assumes it with one session tag, `tenant=<tenant_id>` (the chunk's tenant, from the
 * message its evaluation was loaded by); the role may read only `arbiter/tenants/${aws:PrincipalTag/tenant}/*`.
 * A session for tenant A therefore cannot read a secret of tenant B whatever name a model record holds, and
 * the evaluator's own role holds no grant on any tenant's secret.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_SECRETS_ROOT, TENANT_SESSION_TAG } from '#shared/contracts/models/credential-names.js';
import { documentedSecretArn, nagResource, secretArn, wildcardReason, type ArbiterFunction } from './arbiter-function.js';

/** The variable that tells a reading function which role to assume (`serviceConfig.tenantSecretsRoleArn`). */
export const TENANT_SECRETS_ROLE_ARN_VARIABLE = 'ARBITER_TENANT_SECRETS_ROLE_ARN';

export interface TenantSecretsReaderProps {
  /** The functions that read tenant secrets; only their roles may assume this one. */
  readers: readonly ArbiterFunction[];
}

export class TenantSecretsReader extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TenantSecretsReaderProps) {
    super(scope, id);
    if (props.readers.length === 0) throw new Error('TenantSecretsReader needs at least one function that reads tenant secrets');

    // The session must carry the tenant tag, and no other: a session without it would match no secret, but
    // refusing it in the trust policy keeps an untagged (or differently tagged) session from existing at all.
    const sessionTagged = {
      StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
    };
    const trusted = props.readers.map((reader) => new ArnPrincipal(reader.role.roleArn).withSessionTags().withConditions(sessionTagged));
    this.role = new Role(this, 'Role', {
      assumedBy: trusted[0]!,
      description: "Reads one tenant's provider keys: assumed by the evaluator with the session tag tenant=<tenant_id>",
      // A key read is cached for minutes; an hour-long session would only widen what a leaked one could do.
      maxSessionDuration: Duration.hours(1),
    });
    // A CompositePrincipal cannot carry conditions: each further reader gets its own trust statement.
    for (const principal of trusted.slice(1)) principal.addToAssumeRolePolicy(this.role.assumeRolePolicy!);

    const pattern = `${TENANT_SECRETS_ROOT}\${aws:PrincipalTag/${TENANT_SESSION_TAG}}/*`;
    const tenantSecrets = secretArn(this, pattern);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [tenantSecrets] }));
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, tenantSecrets)}]`,
      reason: wildcardReason(documentedSecretArn(pattern)),
    });

    for (const reader of props.readers) {
      reader.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [this.role.roleArn] }));
      reader.addEnvironment(TENANT_SECRETS_ROLE_ARN_VARIABLE, this.role.roleArn);
    }
  }
}
