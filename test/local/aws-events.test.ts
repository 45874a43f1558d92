/**
 * `npm start`'s `POST /events`: CodeBuild, CodePipeline and CloudWatch events, in the shapes the stack's queue receives
 * them, end up in the (stand-in) space as the same messages deliver posts on AWS.
 */
import { FAST_QUEUE } from '../support/relay';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';
import { renderMessage } from '../../lambda/render/body-text';
import { readable, say } from '../support/events';
import { fixtureJson } from '../support/fixtures';

/** EventBridge → SQS, or SNS → SQS with raw message delivery: the event is the record body as it is. */
const sqs = (...bodies: unknown[]) => ({
  Records: bodies.map((body, index) => ({ eventSource: 'aws:sqs', messageId: `message-${index}`, body: JSON.stringify(body) })),
});

/** SNS → SQS without raw delivery: the event is the Message of an SNS envelope, which is the record body. */
const snsEnvelope = (event: unknown, subject?: string) => ({
  Type: 'Notification',
  MessageId: 'a6a9d5d1-0000-4000-8000-000000000001',
  TopicArn: 'arn:aws:sns:us-east-1:123456789012:team-relay',
  ...(subject ? { Subject: subject } : {}),
  Message: JSON.stringify(event),
  Timestamp: '2024-05-01T10:00:00.000Z',
  SignatureVersion: '1',
  Signature: 'EXAMPLE',
  SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
  UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:team-relay:1',
});

const CASES = [
  ['CodeBuild', fixtureJson('aws_codebuild', 'build_state_change_failed_functionci.json')],
  ['CodePipeline', fixtureJson('aws_codepipeline', 'pipeline_execution_state_change_failed.json')],
  ['CloudWatch (EventBridge)', fixtureJson('aws_cloudwatch', 'eventbridge_alarm_state_change_single_metric_aws_docs.json')],
  ['CloudWatch (SNS alarm message)', JSON.parse(fixtureJson('aws_cloudwatch', 'sns_https_notification_alarm_capture.json').Message)],
] as const;

describe('POST /events on the local relay', () => {
  let relay: LocalRelay;

  beforeEach(async () => {
    relay = await startLocalRelay({ port: 0, queue: FAST_QUEUE, settings: { CHANNELS: JSON.stringify({ default: 'space-1' }) } });
  });

  afterEach(async () => {
    await relay.close();
  });

  async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${relay.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe.each(CASES)('%s', (_name, event) => {
    const expected = renderMessage(say(event).messages[0]!);

    it('posts the event sent as it is (EventBridge, or the alarm message itself) as deliver would', async () => {
      // Act
      const response = await post(event);

      // Assess
      expect(response.status).toBe(200);
      expect(relay.standIn!.messages.map((m) => [m.spaceId, m.bodyText])).toEqual(expected.map((html) => ['space-1', html]));
    });

    it('posts the event from an SQS record, as the stack’s queue receives it (EventBridge target, raw SNS delivery)', async () => {
      // Act
      const response = await post(sqs(event));

      // Assess
      expect(response.status).toBe(200);
      expect(relay.standIn!.messages.map((m) => m.bodyText)).toEqual(expected);
    });

    it('posts the event from an SNS envelope in an SQS record (SNS → SQS subscription)', async () => {
      // Act
      const response = await post(sqs(snsEnvelope(event, 'Subject is not the title of an event')));

      // Assess
      expect(response.status).toBe(200);
      expect(relay.standIn!.messages.map((m) => m.bodyText)).toEqual(expected);
    });
  });

  it('says what each message is about, as a reader sees it in the space', async () => {
    // Act
    await post(sqs(...CASES.map(([, event]) => snsEnvelope(event))));

    // Assess
    expect(relay.standIn!.messages.map((m) => readable(m.bodyText).split('\n')[0])).toEqual([
      '❌ FAILED · functionci-thestackshack-serverless-demo-master-code-build',
      '❌ FAILED · myPipeline',
      '🔥 FIRING (ALARM) · ServerCpuTooHigh',
      '🔥 FIRING (ALARM) · api-1 - Network In',
    ]);
  });

  it('acknowledges events that are not posted (a stage change, a phase change, an alarm configuration change)', async () => {
    // Prepare
    const ignored = [
      fixtureJson('aws_codepipeline', 'stage_execution_state_change.json'),
      fixtureJson('aws_codebuild', 'build_phase_change.json'),
      fixtureJson('aws_cloudwatch', 'eventbridge_alarm_configuration_change_update_aws_docs.json'),
    ];

    // Act
    const response = await post(sqs(...ignored));

    // Assess
    expect(response).toEqual({ status: 200, body: { records: ignored.map(() => ({ id: expect.any(String), outcome: 'handled' })) } });
    expect(relay.standIn!.messages).toEqual([]);
  });

  it('answers 400 with the reason for an event no source recognises', async () => {
    // Prepare
    const event = { ...fixtureJson('aws_codebuild', 'build_state_change_succeeded.json'), source: 'aws.codedeploy' };

    // Act
    const response = await post(event);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('no source recognises this event (EventBridge "CodeBuild Build State Change" from aws.codedeploy)');
    expect(relay.standIn!.messages).toEqual([]);
  });
});
