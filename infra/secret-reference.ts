import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/** A Secrets Manager secret a function reads. */
export interface SecretReference {
  /** What the function passes as `SecretId`: the name or ARN as configured. */
  readonly secretId: string;
  /** The secret's ARN, without the random suffix when only the name is known. */
  readonly arn: string;
  /** The IAM resource that matches the secret and nothing else. */
  readonly policyArn: string;
  /** The customer-managed KMS key the secret is encrypted with, when the app says so. @default the AWS-managed key */
  readonly encryptionKey?: IKey;
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

/**
 * A secret given as a CDK object: one the app creates (its complete ARN is known) or imports. Without a complete ARN
 * it is read by its name and granted through the partial ARN with `-??????`, as a name is.
 */
export function secretOf(secret: ISecret): SecretReference {
  const { secretFullArn, encryptionKey } = secret;
  if (secretFullArn) return { secretId: secretFullArn, arn: secretFullArn, policyArn: secretFullArn, encryptionKey };
  return { secretId: secret.secretName, arn: secret.secretArn, policyArn: `${secret.secretArn}-??????`, encryptionKey };
}

/**
 * Lets `role` read the secret's value, and only that (not describe, not list, not other secrets); and decrypt it with
 * its customer-managed key, when it has one.
 */
export function grantSecretValue(role: IRole, secret: SecretReference): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.policyArn] }),
  );
  grantKeyThroughSecretsManager(role, secret, 'kms:Decrypt');
}

/**
 * Lets `role` write a new version of the secret's value; with a customer-managed key, Secrets Manager asks that key
 * for a data key to encrypt the new version with.
 */
export function grantSecretWrite(role: IRole, secret: SecretReference): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [secret.policyArn] }),
  );
  grantKeyThroughSecretsManager(role, secret, 'kms:GenerateDataKey');
}

/**
 * The key's use only when Secrets Manager makes the call on the role's behalf: the role cannot decrypt or encrypt
 * anything else with a key the team may share with other services.
 */
function grantKeyThroughSecretsManager(role: IRole, secret: SecretReference, action: string): void {
  if (!secret.encryptionKey) return;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [action],
      resources: [secret.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
    }),
  );
}
