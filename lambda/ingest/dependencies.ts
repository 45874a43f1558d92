/**
 * Ingest's composition root: the one place its dependencies are built, from its settings and the platform it runs
 * on. The Lambda entry point (`handlers/ingest.ts`) passes the AWS platform (`awsIngestPlatform`); `npm start` and the
 * tests pass the local queue and the local inbound secret.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { QueuedNotification } from '../model/notification';
import type { IngestResources, IngestSettings } from '../runtime/config';
import type { IntakeDependencies } from './intake';
import { sqsEnqueue } from './sqs-enqueue';

/** What differs between Lambda and local mode: where the inbound secret and the queue are. */
export interface IngestPlatform {
  /** The inbound secret; `undefined` only in local mode without `WEBHOOK_TOKEN`, where requests are not authenticated. */
  readonly webhookSecret: () => Promise<string | undefined>;
  readonly enqueue: (notifications: readonly QueuedNotification[]) => Promise<void>;
}

/** Ingest's dependencies, built the same way for Lambda and local mode. */
export function ingestDependencies(settings: IngestSettings, platform: IngestPlatform): IntakeDependencies {
  return {
    webhookSecret: platform.webhookSecret,
    enqueue: platform.enqueue,
    channels: Object.keys(settings.CHANNELS),
    enabledSources: settings.ENABLED_SOURCES,
    sourceSettings: settings.SOURCE_SETTINGS,
  };
}

/** The deployed platform: the stack's inbound secret and delivery queue. */
export function awsIngestPlatform(config: IngestResources): IngestPlatform {
  return {
    // Cached for five minutes across invocations; a rotated secret is picked up within that time.
    webhookSecret: async () => {
      const secret = await getSecret(config.WEBHOOK_SECRET_ID, { maxAge: 300 });
      if (typeof secret !== 'string' || secret === '') throw new Error('the webhook secret is empty or not a string');
      return secret;
    },
    enqueue: sqsEnqueue(new SQSClient({}), config.QUEUE_URL),
  };
}
