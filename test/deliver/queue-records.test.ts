import { PermanentDeliveryError } from '../../lambda/deliver/deliver-notification';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { resolveSourceSettings } from '../../lambda/sources/settings';

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

  it('refuses a body that is not JSON, or an event nothing recognises', () => {
    expect(() => notificationsFromRecord('{{', settings)).toThrow(PermanentDeliveryError);
    expect(() => notificationsFromRecord(JSON.stringify({ 'detail-type': 'Thing', source: 'aws.thing', detail: {} }), settings)).toThrow(
      /no source recognises this event \(EventBridge "Thing" from aws.thing\)/,
    );
  });
});
