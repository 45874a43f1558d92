import { Aws, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';

/** Objects a function may read: keys of one bucket, optionally under a prefix and with a suffix. */
export interface ObjectScope {
  /** The bucket. */
  readonly name: string;
  /** Only keys that start with this. @default every key */
  readonly prefix?: string;
  /** Only keys that end with this. @default every key */
  readonly suffix?: string;
  /** The customer-managed KMS key the objects are encrypted with, if any. */
  readonly kmsKeyArn?: string;
}

/**
 * Lets `role` read the objects of `scopes` and nothing else: `s3:GetObject` and `s3:GetObjectVersion` (a versioned
 * bucket's events name a version, which is what gets read) on the keys of each scope, no listing, no other keys; and
 * `kms:Decrypt` on the scopes' KMS keys, through S3 only. HeadObject is covered by the same two actions.
 */
export function grantObjectRead(role: IRole, scopes: readonly ObjectScope[]): void {
  if (scopes.length === 0) return;
  const patterns = new Map(scopes.map((scope) => [keyPattern(scope), scope]));
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [...patterns.keys()].map(objectArn),
    }),
  );
  const keys = [...new Set(scopes.flatMap((scope) => (scope.kmsKeyArn ? [scope.kmsKeyArn] : [])))];
  if (keys.length > 0) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: keys,
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
  // The finding names the resource as the role's stack resolves it: a bucket of the app by its logical id, and one of
  // another stack by the export it is imported through, which exists only once the app is prepared for synthesis.
  // So the wildcards are acknowledged now, and again when the app is validated (cdk-nag looks after that).
  const stack = Stack.of(role);
  const acknowledged = new Set<string>();
  const acknowledge = () => {
    for (const [pattern, scope] of patterns) {
      const resource = nagName(stack.resolve(objectArn(pattern)));
      if (acknowledged.has(resource)) continue;
      acknowledged.add(resource);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          'Object keys are not known in advance (new uploads, keys named in alerts): the wildcard covers exactly the ' +
          `keys the team config lists for bucket ${nagName(stack.resolve(scope.name))}${scopeWords(scope)}, read-only (get, no list).`,
      });
    }
  };
  acknowledge();
  role.node.addValidation({
    validate: () => {
      acknowledge();
      return [];
    },
  });
}

/** The IAM resource of the objects a key pattern matches. */
const objectArn = (pattern: string): string => `arn:${Aws.PARTITION}:s3:::${pattern}`;

/**
 * A resolved CloudFormation value as cdk-nag writes it in a finding: joined, a reference as `<LogicalId>`, an
 * attribute as `<LogicalId.Attribute>`, an import by its export name, and every `${` written `<` and `}` `>`.
 */
function nagName(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const fn = (value ?? {}) as Record<string, unknown>;
  if (fn['Fn::Join']) {
    const [separator, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(nagName).join(separator);
  }
  if (fn['Fn::Sub']) return nagName(fn['Fn::Sub']);
  if (fn['Fn::GetAtt']) {
    const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagName(resource)}.${nagName(attribute)}>`;
  }
  if (fn['Fn::ImportValue']) return nagName(fn['Fn::ImportValue']);
  if (fn.Ref) return `<${nagName(fn.Ref)}>`;
  return JSON.stringify(value);
}

/** `bucket/prefix*suffix`, with the prefix and suffix taken literally. */
function keyPattern(scope: ObjectScope): string {
  return `${scope.name}/${literal(scope.prefix ?? '')}*${literal(scope.suffix ?? '')}`;
}

function scopeWords(scope: ObjectScope): string {
  const parts = [
    ...(scope.prefix !== undefined ? [`under ${scope.prefix}`] : []),
    ...(scope.suffix !== undefined ? [`ending in ${scope.suffix}`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * `*` and `?` are wildcards in an IAM resource, and `$` starts a policy variable; IAM's own escapes make them literal,
 * so a key prefix such as `reports?/` does not widen the grant. (`{ } [ ]` cannot be acknowledged for cdk-nag; the
 * team config refuses them.)
 */
function literal(text: string): string {
  return text.replace(/[*?$]/g, (char) => `\${${char}}`);
}
