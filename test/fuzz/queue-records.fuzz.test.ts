/**
 * Deliver's reading of queue records under hostile input: every record body — a notification ingest queued, an AWS
 * event the stack routes to the queue (S3, SNS, EventBridge, in their envelopes), mutated, or no JSON at all —
 * becomes notifications deliver can post, or a `PermanentDeliveryError` with its reason (a dead letter). Nothing else:
 * any other error would hand the record back, to fail the same way ten times.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { PermanentDeliveryError } from '../../lambda/deliver/deliver-notification';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { QueuedNotificationSchema } from '../../lambda/model/notification';
import { renderMessage } from '../../lambda/render/body-text';
import { readDeliverSettings } from '../../lambda/runtime/config';
import { recordBody } from './arbitraries';
import { apiGatewaySeeds, awsEventSeeds, queuedNotificationSeeds } from './corpus';
import { assertProperty, runsOf, timeLimitMs } from './fuzz-settings';
import { CHANNELS, EVERYTHING_ON, FIXTURE_BUCKETS } from './team';

const settings = readDeliverSettings({
  CHANNELS,
  SOURCE_SETTINGS: EVERYTHING_ON,
  S3_BUCKETS: FIXTURE_BUCKETS,
  STATE_TTL_SECONDS: '1728000',
}).SOURCE_SETTINGS;
const NOW = new Date('2026-01-01T00:00:00Z');

describe('deliver reading fuzzed queue records', () => {
  const runs = runsOf(2_000);
  it(
    'turns every record body into notifications it can render, or a permanent failure with a reason',
    async () => {
      const seeds = [...(await queuedNotificationSeeds()), ...awsEventSeeds(), ...apiGatewaySeeds()];
      await assertProperty(
        fc.property(recordBody(seeds), ({ body }) => {
          let notifications;
          try {
            notifications = notificationsFromRecord(body, settings, NOW);
          } catch (error) {
            expect(error).toBeInstanceOf(PermanentDeliveryError);
            expect((error as Error).message).not.toBe('');
            return;
          }
          for (const notification of notifications) {
            expect(v.safeParse(QueuedNotificationSchema, notification).issues).toBeUndefined();
            expect(renderMessage(notification.message).length).toBeGreaterThan(0);
          }
        }),
        runs,
      );
    },
    timeLimitMs(runs),
  );
});
