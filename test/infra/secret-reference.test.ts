import { Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { secretByNameOrArn, secretOf } from '../../infra/secret-reference';
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
});
