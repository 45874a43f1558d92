import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeliveryQueue } from '../../../infra/constructs/delivery-queue';
import { idOf } from '../support/relay';

describe('DeliveryQueue', () => {
  let stack: Stack;
  let queues: DeliveryQueue;
  let template: Template;

  beforeAll(() => {
    // Prepare
    stack = new Stack();
    // Act
    queues = new DeliveryQueue(stack, 'Delivery', { visibilityTimeout: Duration.seconds(1800), maxReceiveCount: 10 });
    template = Template.fromStack(stack);
  });

  it('encrypts both queues with SQS-managed keys, so AWS services can send without KMS grants', () => {
    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(JSON.stringify(template.toJSON())).not.toContain('KmsMasterKeyId');
  });

  it('hides a message for the visibility timeout given and dead-letters it after the receives given', () => {
    // Assess
    expect(template.toJSON().Resources[idOf(queues.queue)].Properties).toMatchObject({
      VisibilityTimeout: 1800,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(queues.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 10,
      },
    });
  });

  it('keeps dead letters for 14 days, the longest SQS allows', () => {
    // Assess
    expect(template.toJSON().Resources[idOf(queues.deadLetterQueue)].Properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
  });

  it('refuses any request to either queue that does not use TLS', () => {
    // Assess
    for (const queue of [queues.queue, queues.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: idOf(queue) }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: { 'Fn::GetAtt': [idOf(queue), 'Arn'] },
            },
          ],
        },
      });
    }
  });
});
