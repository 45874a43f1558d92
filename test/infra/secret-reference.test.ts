import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ArnPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { grantSecretValue, grantSecretWrite, secretByNameOrArn, secretOf } from '../../infra/secret-reference';
import { idOf } from './support/relay';

describe('secret references', () => {
  const stack = new Stack(undefined, 'Relay', { env: { account: '123456789012', region: 'eu-west-1' } });

  it('grants a secret given by name through its partial ARN with the six-character suffix wildcard', () => {
    // Act
    const reference = secretByNameOrArn(stack, 'relay/token');

    // Assess
    expect(reference.secretId).toBe('relay/token');
    expect(stack.resolve(reference.policyArn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:relay/token-??????'],
      ],
    });
    expect(stack.resolve(reference.arn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:relay/token'],
      ],
    });
  });

  it('grants a secret given by complete ARN as exactly that ARN', () => {
    // Prepare
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/token-AbC123';

    // Act
    const reference = secretByNameOrArn(stack, arn);

    // Assess
    expect(reference).toEqual({ secretId: arn, arn, policyArn: arn });
  });

  it('grants a secret the stack creates by its own ARN', () => {
    // Prepare
    const secret = new Secret(stack, 'Generated');

    // Act
    const reference = secretOf(secret);

    // Assess
    expect(stack.resolve(reference)).toEqual({
      secretId: { Ref: idOf(secret) },
      arn: { Ref: idOf(secret) },
      policyArn: { Ref: idOf(secret) },
    });
  });

  it('reads an imported secret known by name only by that name, and grants it as a name is granted', () => {
    // Prepare
    const secret = Secret.fromSecretNameV2(stack, 'ByName', 'relay/imported');

    // Act
    const reference = secretOf(secret);

    // Assess
    expect(reference.secretId).toBe('relay/imported');
    expect(stack.resolve(reference.policyArn)).toEqual(stack.resolve(secretByNameOrArn(stack, 'relay/imported').policyArn));
  });

  it("lets a role use the secret's own key only through Secrets Manager: decrypt to read, a data key to write", () => {
    // Prepare
    const grants = new Stack(undefined, 'Grants', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = Key.fromKeyArn(grants, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const secret = secretOf(
      Secret.fromSecretAttributes(grants, 'Token', {
        secretCompleteArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/token-AbC123',
        encryptionKey: key,
      }),
    );
    const role = new Role(grants, 'Deliver', { assumedBy: new ArnPrincipal('arn:aws:iam::123456789012:role/caller') });

    // Act
    grantSecretValue(role, secret);
    grantSecretWrite(role, secret);

    // Assess
    const [policy] = Object.values(Template.fromStack(grants).findResources('AWS::IAM::Policy'));
    const region = { Ref: 'AWS::Region' };
    const viaSecretsManager = {
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', region, '.amazonaws.com']] } },
    };
    expect(policy!.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.arn },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.keyArn, Condition: viaSecretsManager },
      { Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: secret.arn },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: key.keyArn, Condition: viaSecretsManager },
    ]);
  });

  it('grants no key at all for a secret under the AWS-managed key', () => {
    // Prepare
    const grants = new Stack(undefined, 'NoKey', { env: { account: '123456789012', region: 'eu-west-1' } });
    const role = new Role(grants, 'Ingest', { assumedBy: new ArnPrincipal('arn:aws:iam::123456789012:role/caller') });

    // Act
    grantSecretValue(role, secretByNameOrArn(grants, 'relay/webhook'));

    // Assess
    const [policy] = Object.values(Template.fromStack(grants).findResources('AWS::IAM::Policy'));
    const actions = policy!.Properties.PolicyDocument.Statement.map((statement: { Action: string }) => statement.Action);
    expect(actions).toEqual(['secretsmanager:GetSecretValue']);
  });
});
