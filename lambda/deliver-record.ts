import { deliverNotification, type DeliveryDependencies, type DeliveryResult } from './delivery';
import { logger } from './logger';
import { notificationsFromRecord } from './queue-records';
import type { ResolvedSettings } from './sources/settings';

export interface RecordDependencies extends DeliveryDependencies {
  readonly sourceSettings: ResolvedSettings;
}

/** Delivers everything one queue record carries, logging each outcome; throws so the record is retried or dead-lettered. */
export async function deliverRecord(body: string, deps: RecordDependencies): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  for (const notification of notificationsFromRecord(body, deps.sourceSettings)) {
    const log = { id: notification.id, deliveryKey: notification.deliveryKey, source: notification.message.source };
    try {
      const result = await deliverNotification(notification, deps);
      logger.info('delivered', { ...log, ...result });
      results.push(result);
    } catch (error) {
      logger.error('delivery failed', { ...log, error: error as Error });
      throw error;
    }
  }
  return results;
}
