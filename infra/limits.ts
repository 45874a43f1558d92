/**
 * The numbers the stack, the team config, the local queue and the scripts share: one place, so that what `npm start`
 * imitates and what the stack deploys cannot drift apart. Plain numbers (seconds, counts), no CDK types, so that the
 * functions' local wiring can use them without loading the CDK.
 */

/** Memory of both functions: deliver streams files instead of buffering them, so this is enough for 1 GB files. */
export const FUNCTION_MEMORY_MB = 256;
/** Senders give up after 10 s (GitHub), so a slower answer is of no use. */
export const INGEST_TIMEOUT_SECONDS = 10;
/**
 * A whole batch (see {@link DELIVER_BATCH_SIZE}) at this invocation's share of the Spaces rate limits, including
 * streamed uploads of up to 1 GB each (minutes apiece). Deliver hands back the records it has no time left for.
 */
export const DELIVER_TIMEOUT_SECONDS = 300;
/**
 * Records deliver gets at once, gathered for up to {@link DELIVER_BATCHING_WINDOW_SECONDS}. Storms are folded into
 * digests within one batch only, so a batch must be able to hold `digestThreshold` (20 by default) notifications for
 * one space. 50 also fits the timeout: 50 separate posts at one invocation's share of the Spaces limits take about
 * two minutes.
 */
export const DELIVER_BATCH_SIZE = 50;
/** How long the event source waits to fill a batch: a storm arrives over seconds, a lone alert waits at most this. */
export const DELIVER_BATCHING_WINDOW_SECONDS = 10;
/**
 * The most deliver invocations at once: the event source's maximum concurrency, and `DELIVER_CONCURRENCY`, with
 * which each invocation's in-process rate limiter takes 1/n of the Spaces limits. One constant, so the two always
 * agree. 2 is the lowest maximum concurrency SQS allows.
 */
export const DELIVER_CONCURRENCY = 2;
/**
 * Receives before a message is dead-lettered. Deliver hands back records it did not try (behind a failed message for
 * their space, or out of time) and each hand-back counts as a receive, so a healthy record may be received several
 * times behind a failing one; 10 leaves room for that, and for a few real retries of its own.
 */
export const DELIVER_MAX_RECEIVES = 10;
/**
 * The delivery queue's visibility timeout: AWS guidance for an SQS event source is at least six times the function
 * timeout, so that a message is not handed to a second invocation while the first is still working on it. Deliver
 * shortens it for the records it hands back (see `lambda/deliver/hand-back.ts`).
 */
export const QUEUE_VISIBILITY_SECONDS = DELIVER_TIMEOUT_SECONDS * 6;
/** How long the delivery queue keeps a message. */
export const QUEUE_RETENTION_DAYS = 4;
/** How long the dead-letter queue keeps a message: the longest SQS allows, time to notice, fix the cause and redrive. */
export const DEAD_LETTER_RETENTION_DAYS = 14;
/**
 * The webhook API's default throttling (team config `api.rateLimit`/`api.burstLimit`): API Gateway's token bucket
 * holds {@link API_BURST_LIMIT} requests and refills at {@link API_RATE_LIMIT} a second. Beyond it senders get 429,
 * which only CircleCI and SNS retry: Alertmanager and Grafana send the group again at their next group_interval,
 * GitHub, GitLab and Jenkins never (and GitLab disables a webhook after four failures in a row). So a normal storm
 * must fit: an outage that opens a few hundred Alertmanager groups at once (their first notifications go out
 * together, after group_wait, and keep ticking together every group_interval), a CI pipeline or an organisation
 * webhook announcing a few hundred jobs within seconds. 500 at once plus 50 a second admits those; a sender stuck in
 * a loop, or a flood, is still stopped at about 0.5 % of the account's default 10,000 requests a second, and the
 * relay's ApiThrottled alarm says so. Ingest only checks and queues (tens of milliseconds), and the queue absorbs what
 * deliver cannot post at once, so nothing behind the API needs the rate kept lower. The figures and the senders'
 * behaviour are in docs/senders.md.
 */
export const API_RATE_LIMIT = 50;
/** See {@link API_RATE_LIMIT}. */
export const API_BURST_LIMIT = 500;

/**
 * Slack beyond the longest wait: a redriven message's own time back in the queue, a sender's retry that was queued a
 * little after the first copy was delivered, clocks that disagree.
 */
const STATE_MARGIN_DAYS = 2;
/**
 * How long deliver keeps what it knows about a delivery key (idempotency record, progress journal): longer than a
 * copy of the notification can wait. A copy can wait the delivery queue's retention and then, dead-lettered by
 * deliver as a new message, the dead-letter queue's in full before someone redrives it; if what deliver knows were
 * gone by then, the redrive would post again what was posted. Records are small (about 300 bytes, one per delivery
 * key, removed by the table's TTL), so keeping them for weeks rather than a day costs next to nothing.
 */
export const STATE_TTL_SECONDS = (QUEUE_RETENTION_DAYS + DEAD_LETTER_RETENTION_DAYS + STATE_MARGIN_DAYS) * 24 * 60 * 60;
