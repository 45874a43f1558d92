import { PermanentDeliveryError } from '../../lambda/deliver/deliver-notification';
import type { QueuedNotification } from '../../lambda/model/notification';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { decodeS3EventKey } from '../../lambda/sources/s3';
import { fixtureBytes, fixtureJson } from '../support/fixtures';

/** Settings as deliver builds them: the stack's bucket rules handed to the s3 source. */
function settings(buckets: object[], s3: Record<string, unknown> = {}) {
  return resolveSourceSettings({ s3: { ...s3, buckets } });
}

/** What deliver's handler does with one body: an SQS record body, or a direct event serialized as one. */
function fromBody(body: string, buckets: object[], s3?: Record<string, unknown>): QueuedNotification[] {
  return notificationsFromRecord(body, settings(buckets, s3), new Date('2024-01-01T00:00:00Z'));
}

/** Every record body of an SQS fixture, or the fixture itself for a direct event. */
function fromFixture(name: string, buckets: object[], s3?: Record<string, unknown>): QueuedNotification[] {
  const event = fixtureJson('s3', name);
  const bodies: string[] = event.Records?.[0]?.eventSource === 'aws:sqs' ? event.Records.map((r: { body: string }) => r.body) : [JSON.stringify(event)];
  return bodies.flatMap((body) => fromBody(body, buckets, s3));
}

function s3Record(key: string, overrides: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2024-05-01T10:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    s3: { bucket: { name: 'reports' }, object: { key, size: 2048, sequencer: `00${key.length}` } },
    ...overrides,
  };
}

describe('s3 source: every delivery shape', () => {
  const shapes: [string, string, string, number][] = [
    ['S3 → Lambda (AWS docs)', 'lambda_s3_put_aws_docs.json', 'mybucket', 1024],
    ['S3 → Lambda (%20 in key)', 'lambda_s3_put_percent20_key.json', 'sourcebucket', 1024],
    ['S3 → Lambda (powertools)', 'lambda_s3_put_powertools.json', 'lambda-artifacts-deafc19498e3f2df', 1305107],
    ['S3 → SQS', 'sqs_wrapped_s3_event.json', 'xxx', 104681],
    ['S3 → SNS → SQS', 'sqs_wrapping_sns_wrapping_s3_event.json', 'unwraptestevents-bucket-683517028648', 4314],
    ['S3 → SNS → SQS (raw delivery)', 'sqs_raw_sns_delivery_s3_event.json', 'unwraptestevents-bucket-683517028648', 221],
    ['S3 → SNS → Lambda', 'lambda_sns_record_wrapping_s3_event.json', 's3-sns-unwrap-bucket-683517028648', 221],
    ['EventBridge', 'eventbridge_object_created.json', 'example-bucket', 184662],
    ['EventBridge (capture)', 'eventbridge_object_created_capture.json', 's3-eb-unwrap-sourcebucket-7mop1gqlyrzu', 1565],
    ['EventBridge → SQS (empty object)', 'sqs_wrapping_eventbridge_s3_event.json', 's3-eb-unwrap-sourcebucket-7mop1gqlyrzu', 0],
  ];

  it.each(shapes)('%s: one message naming the object, with the object attached', (_shape, fixture, bucket, size) => {
    // Prepare
    const buckets = [{ name: bucket, channel: 'uploads' }];

    // Act
    const [notification, ...rest] = fromFixture(fixture, buckets);

    // Assess
    expect(rest).toHaveLength(0);
    const message = notification!.message;
    expect(notification!.channel).toBe('uploads');
    expect(message.source).toBe('s3');
    expect(message.fields).toEqual(expect.arrayContaining([{ name: 'Bucket', value: bucket }]));
    expect(message.fields.find((f) => f.name === 'Size')?.value).toContain(`${size === 0 ? '0 bytes' : `${size} bytes`}`);
    expect(message.attachments).toEqual([expect.objectContaining({ kind: 's3', bucket, size })]);
    expect(message.links[0]!.url).toMatch(/^https:\/\/s3\.console\.aws\.amazon\.com\/s3\/object\//);
  });

  it('names the uploader: principalId of a notification, requester of an EventBridge event', () => {
    const fromNotification = fromFixture('lambda_s3_put_powertools.json', [{ name: 'lambda-artifacts-deafc19498e3f2df' }]);
    const fromEventBridge = fromFixture('eventbridge_object_created.json', [{ name: 'example-bucket' }]);

    expect(fromNotification[0]!.message.fields).toContainEqual({ name: 'Uploaded by', value: 'AIDAINPONIXQXHT3IKHL2' });
    expect(fromEventBridge[0]!.message.fields).toContainEqual({ name: 'Uploaded by', value: '123456789012' });
  });

  it('acknowledges the s3:TestEvent with no message, directly and through SQS', () => {
    const test = fixtureBytes('s3', 's3_test_event_aws_docs.json').toString();
    const viaSqs = JSON.stringify({ Records: [{ eventSource: 'aws:sqs', messageId: '1', body: test }] });

    expect(fromBody(test, [{ name: 'bucketname' }])).toEqual([]);
    expect(notificationsFromRecord(viaSqs, settings([{ name: 'bucketname' }]))).toEqual([]);
  });

  it('posts one message per object of a notification with several records, each with its own key', () => {
    const event = { Records: [s3Record('a.pdf'), s3Record('b.pdf'), s3Record('c.pdf')] };

    const notifications = fromBody(JSON.stringify(event), [{ name: 'reports' }]);

    expect(notifications.map((n) => n.message.title)).toEqual(['a.pdf', 'b.pdf', 'c.pdf']);
    expect(new Set(notifications.map((n) => n.deliveryKey)).size).toBe(3);
  });

  it('keeps the delivery key stable across redeliveries and distinct per sequencer', () => {
    const body = JSON.stringify({ Records: [s3Record('a.pdf')] });
    const later = JSON.stringify({ Records: [s3Record('a.pdf', { s3: { bucket: { name: 'reports' }, object: { key: 'a.pdf', sequencer: '0099' } } })] });

    expect(fromBody(body, [{ name: 'reports' }])[0]!.deliveryKey).toBe(fromBody(body, [{ name: 'reports' }])[0]!.deliveryKey);
    expect(fromBody(later, [{ name: 'reports' }])[0]!.deliveryKey).not.toBe(fromBody(body, [{ name: 'reports' }])[0]!.deliveryKey);
  });

  it('uses the EventBridge id as the delivery key', () => {
    const event = fixtureJson('s3', 'eventbridge_object_created.json');
    const same = { ...event, detail: { ...event.detail, object: { ...event.detail.object, sequencer: 'other' } } };

    expect(fromBody(JSON.stringify(same), [{ name: 'example-bucket' }])[0]!.deliveryKey).toBe(
      fromBody(JSON.stringify(event), [{ name: 'example-bucket' }])[0]!.deliveryKey,
    );
  });
});

describe('s3 source: keys', () => {
  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['c%2B%2B-notes.txt', 'c++-notes.txt'],
    ['a+%2B+b.txt', 'a + b.txt'],
    ['Happy%20Face.jpg', 'Happy Face.jpg'],
    ['reports/2024/%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf', 'reports/2024/日本語.pdf'],
    ['caf%C3%A9+%F0%9F%98%80.png', 'café 😀.png'],
    ['dt%3D2024-05-01/_SUCCESS', 'dt=2024-05-01/_SUCCESS'],
  ])('decodes the S3 way: %s → %s', (encoded, key) => {
    expect(decodeS3EventKey(encoded)).toBe(key);
  });

  it('attaches the decoded key of a notification', () => {
    const event = { Records: [s3Record('my+report+%2B+notes%C3%A9.pdf')] };

    const [notification] = fromBody(JSON.stringify(event), [{ name: 'reports' }]);

    expect(notification!.message.attachments[0]).toMatchObject({ key: 'my report + notesé.pdf', name: 'my report + notesé.pdf' });
  });

  it('takes an EventBridge key as it is: no form decoding', () => {
    const event = fixtureJson('s3', 'eventbridge_object_created.json');
    event.detail.object.key = 'a+b c%2B.txt';

    const [notification] = fromBody(JSON.stringify(event), [{ name: 'example-bucket' }]);

    expect(notification!.message.attachments[0]).toMatchObject({ key: 'a+b c%2B.txt' });
  });

  it('refuses a notification whose key is not valid percent-encoding, naming the field', () => {
    const event = { Records: [s3Record('bad%E0%A4%A.txt')] };

    expect(() => fromBody(JSON.stringify(event), [{ name: 'reports' }])).toThrow(PermanentDeliveryError);
    expect(() => fromBody(JSON.stringify(event), [{ name: 'reports' }])).toThrow(/Records\.0\.s3\.object\.key/);
  });
});

describe('s3 source: buckets, filters and deletions', () => {
  const body = (key: string, bucket = 'reports', eventName = 'ObjectCreated:Put') =>
    JSON.stringify({
      Records: [s3Record(key, { eventName, s3: { bucket: { name: bucket }, object: { key, size: 10, sequencer: '01' } } })],
    });

  it('acknowledges an object of an unlisted bucket without a message', () => {
    expect(fromBody(body('a.pdf', 'elsewhere'), [{ name: 'reports' }])).toEqual([]);
    expect(fromBody(body('a.pdf'), [])).toEqual([]);
  });

  it('applies prefix and suffix to the decoded key', () => {
    const buckets = [{ name: 'reports', prefix: 'daily reports/', suffix: '.pdf' }];

    expect(fromBody(body('daily+reports/x.pdf'), buckets)).toHaveLength(1);
    expect(fromBody(body('daily+reports/x.csv'), buckets)).toEqual([]);
    expect(fromBody(body('weekly/x.pdf'), buckets)).toEqual([]);
  });

  it('does not post folder markers', () => {
    expect(fromBody(body('new-folder/'), [{ name: 'reports' }])).toEqual([]);
  });

  it('posts deletions only when settings.objectRemoved is on, without an attachment', () => {
    const removed = body('old.pdf', 'reports', 'ObjectRemoved:Delete');

    expect(fromBody(removed, [{ name: 'reports' }])).toEqual([]);
    const [notification] = fromBody(removed, [{ name: 'reports' }], { objectRemoved: true });
    expect(notification!.message.summary).toBe('Deleted from reports');
    expect(notification!.message.attachments).toEqual([]);
  });

  it('posts EventBridge Object Deleted only when settings.objectRemoved is on', () => {
    const event = { ...fixtureJson('s3', 'eventbridge_object_created.json'), 'detail-type': 'Object Deleted' };

    expect(fromBody(JSON.stringify(event), [{ name: 'example-bucket' }])).toEqual([]);
    expect(fromBody(JSON.stringify(event), [{ name: 'example-bucket' }], { objectRemoved: true })).toHaveLength(1);
  });

  it('acknowledges other S3 events (restore, tagging) without a message', () => {
    expect(fromBody(body('a.pdf', 'reports', 'ObjectRestore:Completed'), [{ name: 'reports' }])).toEqual([]);
  });

  it('refuses a settings typo at start-up', () => {
    expect(() => settings([{ name: 'reports' }], { objectRemoved: 'yes' })).toThrow(/SOURCE_SETTINGS\.s3\.objectRemoved/);
  });
});
