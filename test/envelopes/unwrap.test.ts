import { unwrap, unwrapText } from '../../lambda/envelopes';
import { fixtureJson } from '../support/fixtures';

const s3Records = (value: unknown) => (value as { Records: { eventSource: string; s3: { object: { key: string } } }[] }).Records;

describe('unwrap', () => {
  it.each([
    'sqs_wrapped_s3_event.json',
    'sqs_wrapping_sns_wrapping_s3_event.json',
    'sqs_raw_sns_delivery_s3_event.json',
    'lambda_sns_record_wrapping_s3_event.json',
  ])('takes the envelopes off %s down to the S3 notification', (name) => {
    const payloads = unwrap(fixtureJson('s3', name));

    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) expect(s3Records(payload)[0]!.eventSource).toBe('aws:s3');
  });

  it('leaves an EventBridge event inside SQS as the EventBridge event', () => {
    const [payload] = unwrap(fixtureJson('s3', 'sqs_wrapping_eventbridge_s3_event.json'));

    expect(payload).toMatchObject({ source: 'aws.s3', 'detail-type': 'Object Created' });
  });

  it('opens a CloudWatch alarm delivered over SNS to Lambda', () => {
    const [payload] = unwrap(fixtureJson('aws_cloudwatch', 'lambda_sns_record_alarm_single_metric.json'));

    expect(payload).toMatchObject({ AlarmName: 'EXAMPLE', NewStateValue: 'ALARM' });
  });

  it('opens an SNS HTTPS notification whose message is JSON', () => {
    const [payload] = unwrap(fixtureJson('aws_cloudwatch', 'sns_https_notification_alarm_capture.json'));

    expect(payload).toHaveProperty('AlarmName');
  });

  it('keeps an SNS notification whose message is plain text', () => {
    const envelope = fixtureJson('aws_cloudwatch', 'sns_https_notification_plain_aws_docs.json');

    expect(unwrap(envelope)).toEqual([envelope]);
  });

  it('returns text that is not JSON as text, and other payloads as they are', () => {
    expect(unwrapText('plain words')).toEqual(['plain words']);
    expect(unwrap({ receiver: 'x' })).toEqual([{ receiver: 'x' }]);
  });
});
