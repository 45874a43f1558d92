/**
 * Deliver's composition root: the one place its dependencies are built, from its settings and the platform it runs
 * on. The Lambda entry point (`handlers/deliver.ts`) passes the AWS platform (`awsDeliverPlatform`); `npm start` and
 * the tests pass in-memory stores and the local queue. Everything else — the Spaces client and its rate limits, the
 * attachment policy, idempotency, journal, resolve tracking — is built here, the same way for both.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import { attachmentOpener, URL_DOWNLOAD_MAX_BYTES, URL_DOWNLOAD_TIMEOUT_MS } from '../attachments';
import { createS3Client } from '../attachments/s3';
import type { DeliverResources, DeliverSettings } from '../runtime/config';
import { compileRoutes } from '../routing/routes';
import { compileMentions } from '../render/mentions';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';
import { SpacesClient } from '../spaces/client';
import { secretsManagerTokenSecret, spacesCredentials, type TokenSecret } from '../spaces/credentials';
import { scaleLimits, SPACES_LIMITS, SpacesRateLimiter, type SpacesLimits } from '../spaces/rate-limit';
import type { RetryPolicy } from '../spaces/retry';
import { redactingDeadLetters, sqsDeadLetters, type DeadLetters } from './dead-letter';
import type { RecordDependencies } from './deliver-once';
import { sqsVisibility, type QueueVisibility } from './hand-back';
import { dynamoDbPersistence, DeliveryIdempotency } from './idempotency';
import { DeliveryJournal } from './journal';
import { ResolveTracker } from './resolve-tracker';
import type { InPlaceRetry } from './retry-in-place';
import { DynamoDbStateStore, stateStoreLease, type StateStore } from './state-store';

/** What differs between Lambda and local mode: where state, dead letters and credentials live. */
export interface DeliverPlatform {
  /**
   * Where the Spaces credential lives: the token secret deployed, `SPACES_TOKEN` (or the stand-in's) locally. A
   * renewed OAuth grant is written back to it.
   */
  readonly tokenSecret: TokenSecret;
  /** Idempotency records (DynamoDB deployed, memory locally). */
  readonly persistence: BasePersistenceLayer;
  /** Progress journal, firing-message ids and the credential renewal lease (the same table deployed, memory locally). */
  readonly store: StateStore;
  /** Permanent failures, with their reason. */
  readonly deadLetters: DeadLetters;
  /** Shortens the visibility of handed-back records on the queue deliver consumes. */
  readonly visibility: QueueVisibility;
  readonly s3: S3Client;
  /** Faster clocks for tests: retries, timeouts and rate-limit windows. The defaults are the deployed ones. */
  readonly tuning?: DeliverTuning;
}

export interface DeliverTuning {
  readonly retry?: RetryPolicy;
  /** Per-request limit of the Spaces JSON calls. */
  readonly spacesTimeoutMs?: number;
  /** The limits the client keeps to, before its share is taken. */
  readonly rateLimits?: SpacesLimits;
  /** Pause after an unanswered post before looking whether it was stored. */
  readonly settleMs?: number;
  /** The whole download of a URL attachment (`URL_DOWNLOAD_TIMEOUT_MS` deployed). */
  readonly urlDownloadTimeoutMs?: number;
  /** Rounds and pauses of retrying a notification within the invocation before handing it back. */
  readonly retryInPlace?: InPlaceRetry;
}

/** Everything deliver's handler needs. */
export interface DeliverDependencies extends RecordDependencies {
  readonly visibility: QueueVisibility;
}

/** The state store item whose holder renews the Spaces access token (see `spaces/credentials.ts`). */
const RENEWAL_LEASE_ID = 'lease#spaces-credential';

/** Deliver's dependencies, built the same way for Lambda and local mode. */
export function deliverDependencies(settings: DeliverSettings, platform: DeliverPlatform): DeliverDependencies {
  const { tuning = {} } = platform;
  return {
    sourceSettings: settings.SOURCE_SETTINGS,
    routes: compileRoutes(settings.ROUTES),
    templates: settings.TEMPLATES,
    spaces: new SpacesClient({
      baseUrl: settings.SPACES_API_URL,
      credentials: spacesCredentials({ secret: platform.tokenSecret, lease: stateStoreLease(platform.store, RENEWAL_LEASE_ID) }),
      retry: tuning.retry,
      timeoutMs: tuning.spacesTimeoutMs,
      // Each of the at most DELIVER_CONCURRENCY invocations takes its share; 10 % stays free for retries.
      gate: new SpacesRateLimiter({
        limits: scaleLimits(tuning.rateLimits ?? SPACES_LIMITS, { share: settings.DELIVER_CONCURRENCY, headroom: 0.1 }),
      }),
      hooks: {
        onRetry: (error, attempt, delayMs) => {
          count('retried', 1, 'call');
          logger.warn('retrying Spaces call', { reason: error.message, attempt, delayMs });
        },
      },
    }),
    channels: settings.CHANNELS,
    attachmentFailure: settings.ATTACHMENT_FAILURE,
    openAttachment: attachmentOpener({
      url: {
        rules: settings.ATTACHMENT_URL_HOSTS,
        maxBytes: Math.min(settings.ATTACHMENT_MAX_BYTES, URL_DOWNLOAD_MAX_BYTES),
        timeoutMs: tuning.urlDownloadTimeoutMs ?? URL_DOWNLOAD_TIMEOUT_MS,
      },
      s3: { client: platform.s3, buckets: settings.attachableBuckets, maxBytes: settings.ATTACHMENT_MAX_BYTES },
    }),
    // Everything kept per delivery key outlives the longest a notification can wait, so a redrive never posts twice.
    idempotency: new DeliveryIdempotency(platform.persistence, settings.STATE_TTL_SECONDS),
    journal: new DeliveryJournal(platform.store, settings.STATE_TTL_SECONDS),
    tracker: new ResolveTracker(platform.store, settings.STATE_TTL_SECONDS),
    deadLetters: redactingDeadLetters(platform.deadLetters),
    visibility: platform.visibility,
    resolveMode: settings.RESOLVE_MODE,
    mentions: compileMentions(settings.MENTIONS),
    digestThreshold: settings.DIGEST_THRESHOLD,
    maxReceives: settings.QUEUE_MAX_RECEIVES,
    settleMs: tuning.settleMs,
    retryInPlace: tuning.retryInPlace,
  };
}

/** The deployed platform: the stack's table, dead-letter queue, delivery queue and token secret. */
export function awsDeliverPlatform(config: DeliverSettings & DeliverResources): DeliverPlatform {
  const dynamoDb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  return {
    tokenSecret: secretsManagerTokenSecret(config.SPACES_TOKEN_SECRET_ID),
    persistence: dynamoDbPersistence(config.IDEMPOTENCY_TABLE, dynamoDb),
    store: new DynamoDbStateStore(config.IDEMPOTENCY_TABLE, dynamoDb),
    deadLetters: sqsDeadLetters(sqs, config.DLQ_URL),
    visibility: sqsVisibility(sqs, config.QUEUE_URL),
    s3: createS3Client(config.AWS_ENDPOINT_URL),
  };
}
