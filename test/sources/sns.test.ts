import { BadRequestError, errorResponse, HttpError, UnauthorizedError } from '../../lambda/runtime/errors';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { snsSource, type Sns } from '../../lambda/sources/sns';
import type { SignedSnsMessage } from '../../lambda/security/sns-signature';
import { readable, say } from '../support/events';
import { fixtureJson, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { checkTemplates } from '../../lambda/render/templates';
import { SOURCES } from '../../lambda/sources';
import { proveWith } from '../support/proof';
import { resigned, testSigner } from '../support/sns-signing';

const FOLDER = 'aws_cloudwatch';
const SECRET = 'relay-secret';
const signer = testSigner();

const alarmNotification = (): SignedSnsMessage => fixtureJson(FOLDER, 'sns_https_notification_alarm_capture.json');
const plainNotification = (): SignedSnsMessage => fixtureJson(FOLDER, 'sns_https_notification_plain_aws_docs.json');
const alarmEvent = () => fixtureJson(FOLDER, 'eventbridge_alarm_state_change_single_metric_aws_docs.json');
const confirmation = (): SignedSnsMessage & { SubscribeURL: string } =>
  fixtureJson(FOLDER, 'sns_https_subscription_confirmation_aws_docs.json');

/** SNS's POST: its JSON as text/plain, its headers, and the credentials of the subscription URL unless left out. */
function snsRequest(message: object, options: { credentials?: string | null } = {}) {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': String((message as { Type?: string }).Type),
  };
  const credentials = options.credentials === undefined ? `sns:${SECRET}` : options.credentials;
  if (credentials !== null) headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  return webhookRequest('/hooks/sns', JSON.stringify(message), headers);
}

/** An `sns` source whose network is a stub serving the test certificate (and answering SubscribeURLs). */
function stubbedSns() {
  const get = jest.fn(async (url: URL) => (url.pathname.endsWith('.pem') ? signer.certificate : Buffer.from('<ConfirmSubscriptionResponse/>')));
  return { source: snsSource({ get }), get };
}

describe('sns source: verifying what SNS posts', () => {
  it.each(['1', '2'] as const)('accepts a notification signed with SignatureVersion %s, fetching the certificate from SNS once', async (version) => {
    // Prepare
    const { source, get } = stubbedSns();
    const request = snsRequest(resigned(alarmNotification(), signer, version));

    // Act
    await proveWith(source.webhook!, request, SECRET);
    await proveWith(source.webhook!, request, SECRET);

    // Assess
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0]![0].href).toBe(
      'https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem',
    );
  });

  it('accepts a signed subscription confirmation', async () => {
    // Prepare
    const { source } = stubbedSns();

    // Act
    const verifying = proveWith(source.webhook!, snsRequest(resigned(confirmation(), signer)), SECRET);

    // Assess
    await expect(verifying).resolves.toBeUndefined();
  });

  it('challenges a request without credentials, so that SNS sends those of the subscription URL', async () => {
    // Prepare
    const { source, get } = stubbedSns();
    const request = snsRequest(resigned(alarmNotification(), signer), { credentials: null });

    // Act
    const error = await proveWith(source.webhook!, request, SECRET).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(errorResponse(error)).toMatchObject({ statusCode: 401, headers: { 'www-authenticate': 'Basic realm="spaces-relay"' } });
    expect(get).not.toHaveBeenCalled();
  });

  it('refuses the wrong webhook secret before looking at the signature', async () => {
    // Prepare
    const { source, get } = stubbedSns();
    const request = snsRequest(resigned(alarmNotification(), signer), { credentials: 'sns:guess' });

    // Act
    const verifying = proveWith(source.webhook!, request, SECRET);

    // Assess
    await expect(verifying).rejects.toThrow(new UnauthorizedError('the webhook secret does not match'));
    expect(get).not.toHaveBeenCalled();
  });

  it('refuses a message without a signature', async () => {
    // Prepare
    const { source } = stubbedSns();
    const { Signature: _removed, ...unsigned } = resigned(alarmNotification(), signer);

    // Act
    const verifying = proveWith(source.webhook!, snsRequest(unsigned), SECRET);

    // Assess
    await expect(verifying).rejects.toThrow(/the message is not signed/);
  });

  it('refuses a message changed after SNS signed it', async () => {
    // Prepare
    const { source } = stubbedSns();
    const tampered = { ...resigned(alarmNotification(), signer), Message: alarmNotification().Message.replace('ALARM', 'OK') };

    // Act
    const verifying = proveWith(source.webhook!, snsRequest(tampered), SECRET);

    // Assess
    await expect(verifying).rejects.toThrow(new UnauthorizedError('the SNS message signature does not match its content'));
  });

  it('refuses a certificate offered from a host that is not SNS, without fetching it', async () => {
    // Prepare
    const { source, get } = stubbedSns();
    const forged = { ...alarmNotification(), SigningCertURL: 'https://sns.ap-northeast-1.amazonaws.com.evil.com/SimpleNotificationService-1.pem' };

    // Act
    const verifying = proveWith(source.webhook!, snsRequest(resigned(forged, signer)), SECRET);

    // Assess
    await expect(verifying).rejects.toBeInstanceOf(UnauthorizedError);
    expect(get).not.toHaveBeenCalled();
  });

  it('answers 400 to a body that is not JSON', async () => {
    // Prepare
    const { source } = stubbedSns();
    const request = webhookRequest('/hooks/sns', 'Type=Notification', { authorization: `Basic ${Buffer.from(`sns:${SECRET}`).toString('base64')}` });

    // Act
    const verifying = proveWith(source.webhook!, request, SECRET);

    // Assess
    await expect(verifying).rejects.toBeInstanceOf(BadRequestError);
  });
});

describe('sns source: what a verified message holds', () => {
  it('confirms a subscription by visiting its SubscribeURL on the SNS host, and posts nothing', async () => {
    // Prepare
    const { source, get } = stubbedSns();
    const message = confirmation() as Sns;

    // Act
    const events = await source.webhook!.open!(message);

    // Assess
    expect(events).toEqual([]);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0]![0].href).toBe(new URL(confirmation().SubscribeURL).href);
  });

  it.each([
    ['a look-alike host', 'https://sns.us-west-2.amazonaws.com.evil.com/?Action=ConfirmSubscription&Token=t'],
    ['another host', 'https://evil.example/?Action=ConfirmSubscription&Token=t'],
    ['plain http', 'http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t'],
    ['credentials in the URL', 'https://sns.us-west-2.amazonaws.com@evil.example/?Action=ConfirmSubscription'],
    ['another SNS action', 'https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:1:T:1'],
    ['not a URL', 'sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription'],
  ])('does not visit a SubscribeURL on %s', async (_why, url) => {
    // Prepare
    const { source, get } = stubbedSns();
    const message = { ...confirmation(), SubscribeURL: url } as Sns;

    // Act
    const opening = source.webhook!.open!(message);

    // Assess
    await expect(opening).rejects.toThrow(new BadRequestError('SubscribeURL is not an SNS ConfirmSubscription URL'));
    expect(get).not.toHaveBeenCalled();
  });

  it('lets a failed confirmation fail the request, so SNS sends the confirmation again', async () => {
    // Prepare
    const source = snsSource({ get: async () => Promise.reject(new Error('sns.us-west-2.amazonaws.com answered HTTP 500')) });

    // Act
    const opening = source.webhook!.open!(confirmation() as Sns);

    // Assess
    const error = await opening.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpError);
  });

  it('notes an unsubscribe confirmation and posts nothing', async () => {
    // Prepare
    const { source, get } = stubbedSns();
    const message = { ...confirmation(), Type: 'UnsubscribeConfirmation' } as Sns;

    // Act
    const events = await source.webhook!.open!(message);

    // Assess
    expect(events).toEqual([]);
    expect(get).not.toHaveBeenCalled();
  });

  it('hands an alarm notification’s message to the source that says it (cloudwatch)', async () => {
    // Prepare
    const { source } = stubbedSns();

    // Act
    const events = await source.webhook!.open!(alarmNotification() as Sns);

    // Assess
    expect(events).toEqual([JSON.parse(alarmNotification().Message)]);
    expect(say(events[0]).source).toBe('cloudwatch');
  });

  it('says a plain-text notification itself, with the Subject as title', async () => {
    // Prepare
    const { source } = stubbedSns();

    // Act
    const events = await source.webhook!.open!(plainNotification() as Sns);
    const said = say(events[0]);

    // Assess
    expect(said.source).toBe('sns');
    const text = readable(said.html[0]!);
    expect(text.split('\n')[0]).toBe('ℹ️ INFO · My First Message');
    expect(text).toContain('Hello world!');
    expect(text).toContain('Topic: MyTopic');
    expect(text).toContain('Account: 123456789012 · us-west-2');
    expect(said.deliveryKey).toMatch(/^sns:[0-9a-f]{40}$/);
  });

  it('names the topic when a text notification has no Subject, and keeps JSON scalars as text', async () => {
    // Prepare
    const { Subject: _none, ...noSubject } = { ...plainNotification(), Message: '42' };
    const { source } = stubbedSns();

    // Act
    const events = await source.webhook!.open!(noSubject as Sns);
    const said = say(events[0]);

    // Assess
    expect(readable(said.html[0]!).split('\n').slice(0, 2)).toEqual(['ℹ️ INFO · MyTopic', '42']);
  });
});

describe('sns source: the same notifications from an SNS → SQS subscription', () => {
  it('says a plain-text notification delivered to the queue as an SNS envelope', () => {
    // Prepare
    const body = JSON.stringify(plainNotification());

    // Act
    const [notification, ...rest] = notificationsFromRecord(body, resolveSourceSettings({}));

    // Assess
    expect(rest).toEqual([]);
    expect(notification!.message).toMatchObject({ source: 'sns', status: 'info', title: 'My First Message', summary: 'Hello world!' });
  });
});

describe('POST /hooks/sns through ingest', () => {
  const intake = (secret?: string) =>
    testIntake({ secret, channels: ['ops'], overrides: { newId: () => 'req-1', now: () => new Date('2024-01-01T00:00:00Z') } });


  it('queues the alarm an SNS notification carries as the cloudwatch source says it, on the route’s channel', async () => {
    // Prepare: local mode without a webhook secret, where nothing is verified (and nothing is fetched).
    const { deps, queued } = intake();
    const request = { ...snsRequest(alarmNotification()), path: '/hooks/sns/ops' };

    // Act
    const response = await ingestWebhook(request, deps);

    // Assess
    expect(response).toEqual({ statusCode: 202, body: { id: 'req-1', queued: 1 } });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ id: 'req-1', channel: 'ops', deliveryKey: say(JSON.parse(alarmNotification().Message)).deliveryKey });
    expect(queued[0]!.message).toMatchObject({ source: 'cloudwatch', status: 'firing', title: 'api-1 - Network In' });
  });

  it('writes the alarm an SNS notification carries with the templates of the route’s channel', async () => {
    // Prepare
    const checked = checkTemplates(
      { cloudwatch: { title: 'everywhere', channels: { ops: { title: 'ops: {{ payload.AlarmName }}' } } } },
      SOURCES.map((source) => source.name),
    );
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const { deps, queued } = testIntake({ channels: ['ops'], overrides: { templates: checked.templates } });

    // Act
    await ingestWebhook({ ...snsRequest(alarmNotification()), path: '/hooks/sns/ops' }, deps);

    // Assess
    expect(queued[0]!.message.title).toBe('ops: api-1 - Network In');
  });

  it('answers 400, naming the shape, to a JSON message no source recognises', async () => {
    // Prepare
    const { deps, queued } = intake();
    const request = snsRequest({ ...plainNotification(), Message: JSON.stringify({ budget: 'exceeded' }) });

    // Act
    const response = await ingestWebhook(request, deps);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body.message).toMatch(
      /^sns message: no source recognises this event \(object with keys budget\); event sources: .*\bcloudwatch\b/,
    );
    expect(queued).toEqual([]);
  });

  it.each([
    ['nested deeper than the limit', `${'['.repeat(65)}1${']'.repeat(65)}`, /^Message(\.0){64}$/, /nested more than 64 levels deep/],
    ['with an own __proto__ key', '{"AlarmName":"x","__proto__":{"polluted":true}}', /^Message\.__proto__$/, /is not allowed as a key/],
    [
      'an alarm whose name holds a lone surrogate (no console link can be made of it)',
      JSON.stringify({ ...alarmEvent(), detail: { ...alarmEvent().detail, alarmName: 'cpu \ud800' } }),
      /^Message\.detail\.alarmName$/,
      /is not text: it holds a lone surrogate/,
    ],
  ])('answers 400 naming the field, not 503, to a message whose JSON is %s', async (_case, text, field, problem) => {
    // Prepare
    const { deps, queued } = intake();
    const request = snsRequest({ ...plainNotification(), Message: text });

    // Act
    const response = await ingestWebhook(request, deps);

    // Assess
    expect(response).toMatchObject({
      statusCode: 400,
      body: { error: 'bad_request', field: expect.stringMatching(field), message: expect.stringMatching(problem) },
    });
    expect(queued).toEqual([]);
  });

  it('answers 401 with the Basic challenge when the secret is set and SNS has not sent credentials yet', async () => {
    // Prepare
    const { deps, queued } = intake(SECRET);
    const request = snsRequest(alarmNotification(), { credentials: null });

    // Act
    const response = await ingestWebhook(request, deps);

    // Assess
    expect(response).toMatchObject({ statusCode: 401, headers: { 'www-authenticate': 'Basic realm="spaces-relay"' } });
    expect(queued).toEqual([]);
  });
});
