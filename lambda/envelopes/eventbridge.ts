import * as v from 'valibot';

/** The EventBridge event envelope; sources extend it with their own `detail` schema. */
export const EventBridgeEntries = {
  version: v.string(),
  id: v.string(),
  'detail-type': v.string(),
  source: v.string(),
  account: v.string(),
  time: v.string(),
  region: v.string(),
  resources: v.optional(v.array(v.string()), []),
};

/** Whether `event` is an EventBridge event of this source and detail type. */
export function isEventBridge(event: unknown, source: string, detailTypes: readonly string[]): boolean {
  if (!event || typeof event !== 'object') return false;
  const e = event as Record<string, unknown>;
  return e.source === source && typeof e['detail-type'] === 'string' && detailTypes.includes(e['detail-type']) && 'detail' in e;
}
