/**
 * The relay's counters (Powertools metrics, CloudWatch EMF): every outcome of ingest and deliver is counted, so that
 * nothing can be dropped without a number moving. The handlers flush them (`logMetrics`); a running total is kept
 * in-process too, for `/healthz` locally and for the fault benchmark.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';

// Outside Lambda nothing collects EMF lines from stdout (the local totals are at `/healthz`): publish only when
// deployed, unless POWERTOOLS_METRICS_DISABLED says otherwise.
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const metrics = new Metrics({
  namespace: 'SpacesRelay',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'spaces-relay',
  // Its own warnings as structured log records, like every other line the relay writes.
  logger,
});

/**
 * What is counted. `received`/`rejected` at ingest (rejected by error code); `delivered` (notifications posted, a digest
 * counting each member), `deduplicated` (copies acknowledged without a post), `retried` (by where: `call` — a Spaces
 * call tried again by the client, `in-place` — a notification tried again within the invocation, `queue` — a record
 * handed back to the queue), `deadLettered` (by failure kind), `digested` (notifications folded),
 * `attachmentBytes` (uploaded), `acknowledged` (records that carried nothing to post: a test event, a filtered state)
 * and `credentialFailures` (by `CredentialFailure`: the Spaces credential could not be had, was refused even after a
 * renewal, or a renewed grant could not be stored — an outage of the relay's own access) at deliver; `routeDrops`
 * (notifications a team's route dropped, by rule: `routes.<index>`) at both; `unshown` (parts of a chat-webhook
 * payload a chat post cannot show and that were left out quietly, such as a link to a `javascript:` URL, a card's
 * input field or a fifth image) at ingest.
 */
export type Counter =
  | 'received'
  | 'rejected'
  | 'delivered'
  | 'retried'
  | 'deduplicated'
  | 'deadLettered'
  | 'digested'
  | 'attachmentBytes'
  | 'acknowledged'
  | 'credentialFailures'
  | 'routeDrops'
  | 'unshown';

const totals = new Map<string, number>();

/**
 * Adds `value` to a counter; with a reason, the datapoint is also published on its own with that dimension, so an
 * alarm can watch the total and a dashboard can split it by reason.
 */
export function count(counter: Counter, value = 1, reason?: string): void {
  const unit = counter === 'attachmentBytes' ? MetricUnit.Bytes : MetricUnit.Count;
  metrics.addMetric(counter, unit, value);
  if (reason !== undefined) {
    // A dimension on the shared instance would apply to every metric of the flush; a single metric keeps it to this one.
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(counter, unit, value);
  }
  for (const key of reason === undefined ? [counter] : [counter, `${counter}.${reason}`]) {
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
}

/** The running totals of this process, `counter` and `counter.reason` → value. */
export function countTotals(): Record<string, number> {
  return Object.fromEntries(totals);
}
