import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/** A Secrets Manager secret a function reads. */
export interface SecretReference {
  /** What the function passes as `SecretId`: the name or ARN as configured. */
  readonly secretId: string;
  /** The secret's ARN, without the random suffix when only the name is known. */
  readonly arn: string;
  /** The IAM resource that matches the secret and nothing else. */
  readonly policyArn: string;
}

/**
 * A secret given by name or by complete ARN (the team config refuses partial ARNs). A name is granted through the
 * partial-ARN form with `-??????`: Secrets Manager appends six random characters to every ARN, and the `?` wildcards
 * match exactly those, not `<name>-something-longer`.
 */
export function secretByNameOrArn(stack: Stack, nameOrArn: string): SecretReference {
  if (nameOrArn.startsWith('arn:')) return { secretId: nameOrArn, arn: nameOrArn, policyArn: nameOrArn };
  const arn = (resourceName: string) =>
    stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  return { secretId: nameOrArn, arn: arn(nameOrArn), policyArn: arn(`${nameOrArn}-??????`) };
}

/** A secret this stack creates: its ARN is known, complete. */
export function ownedSecret(secret: ISecret): SecretReference {
  return { secretId: secret.secretArn, arn: secret.secretArn, policyArn: secret.secretArn };
}

/** Lets `role` read the secret's value, and only that (not describe, not list, not other secrets). */
export function grantSecretValue(role: IRole, secret: SecretReference): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.policyArn] }),
  );
}
