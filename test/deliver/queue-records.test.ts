import { PermanentDeliveryError, spaceOf } from '../../lambda/deliver/deliver-notification';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { fixtureJson } from '../support/fixtures';

const settings = resolveSourceSettings({});
const queued = {
  v: 1,
  id: 'id',
  deliveryKey: 'generic:k',
  receivedAt: '2026-01-01T00:00:00Z',
  channel: 'default',
  message: { source: 'generic', status: 'info', title: 't', fields: [], links: [], items: [], attachments: [] },
};

describe('notificationsFromRecord', () => {
  it('reads a notification that ingest queued', () => {
    expect(notificationsFromRecord(JSON.stringify(queued), settings)).toEqual([queued]);
  });

  it('refuses a malformed notification permanently, naming the field', () => {
    const broken = { ...queued, message: { ...queued.message, status: 'weird' } };

    expect(() => notificationsFromRecord(JSON.stringify(broken), settings)).toThrow(/queued notification is malformed: message\.status: /);
  });

  it('refuses a record whose JSON is past the shape limits permanently, saying where', () => {
    // Prepare: an SQS body carrying an SNS message nested far too deep.
    const body = JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: `${'['.repeat(100)}${']'.repeat(100)}`, Timestamp: '2026-01-01T00:00:00Z' });

    // Act
    const reading = () => notificationsFromRecord(body, settings);

    // Assess
    expect(reading).toThrow(PermanentDeliveryError);
    expect(reading).toThrow(/the record's JSON is refused: .*nested more than 64 levels deep/);
  });

  it('gives a queued channel that only names an Object.prototype member no space', () => {
    // Prepare
    const [notification] = notificationsFromRecord(JSON.stringify({ ...queued, channel: 'constructor' }), settings);

    // Act
    const looking = () => spaceOf(notification!, { default: 'space-1' });

    // Assess
    expect(looking).toThrow(PermanentDeliveryError);
    expect(looking).toThrow('no space is configured for channel "constructor"');
  });

  it('counts an AWS event as received when it happened, so that reading it again days later is the same occurrence', () => {
    // Prepare
    const event = fixtureJson('aws_codebuild', 'build_state_change_failed_functionci.json');

    // Act
    const [first] = notificationsFromRecord(JSON.stringify(event), settings, new Date('2026-03-01T00:00:00Z'));
    const [redriven] = notificationsFromRecord(JSON.stringify(event), settings, new Date('2026-03-14T00:00:00Z'));

    // Assess
    expect(first!.receivedAt).toBe(new Date(event.time as string).toISOString());
    expect(redriven!.receivedAt).toBe(first!.receivedAt);
  });

  it('refuses a body that is not JSON, or an event nothing recognises', () => {
    expect(() => notificationsFromRecord('{{', settings)).toThrow(PermanentDeliveryError);
    expect(() => notificationsFromRecord(JSON.stringify({ 'detail-type': 'Thing', source: 'aws.thing', detail: {} }), settings)).toThrow(
      /no source recognises this event \(EventBridge "Thing" from aws.thing\)/,
    );
  });

  it('refuses an event whose source is an object that cannot be turned into text permanently, saying so', () => {
    // Prepare: an own `toString` that is not a function makes `String(source)` throw a TypeError.
    const body = JSON.stringify({ 'detail-type': 'Object Created', source: { toString: 'not a function' }, detail: {} });

    // Act
    const reading = () => notificationsFromRecord(body, settings);

    // Assess
    expect(reading).toThrow(PermanentDeliveryError);
    expect(reading).toThrow(/no source recognises this event \(EventBridge "Object Created" from a source that is an object\)/);
  });
});
