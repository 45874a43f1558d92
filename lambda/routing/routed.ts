/**
 * The routes applied where notifications are made (ingest's intake, deliver's AWS events), each drop logged with the
 * rule that made it and counted (`routeDrops`, by rule), so that no notification disappears without a trace.
 */
import type { QueuedNotification } from '../model/notification';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';
import { routeNotifications, type CompiledRoute, type Routed } from './routes';

/** `notifications` through the team's routes: the kept ones on their channel; the dropped ones logged and counted. */
export function routed(notifications: readonly QueuedNotification[], routes: readonly CompiledRoute[]): Routed {
  const result = routeNotifications(notifications, routes);
  for (const { notification, rule } of result.dropped) {
    count('routeDrops', 1, `routes.${rule}`);
    logger.info('notification dropped by a route', {
      rule: `routes.${rule}`,
      deliveryKey: notification.deliveryKey,
      source: notification.message.source,
      status: notification.message.status,
    });
  }
  return result;
}
