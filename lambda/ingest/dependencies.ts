/**
 * Ingest's composition root: the one place its dependencies are built, from its settings and the platform it runs
 * on. The Lambda entry point (`handlers/ingest.ts`) passes the AWS platform (`awsIngestPlatform`); `npm start` and the
 * tests pass the local queue and the local inbound secret.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { QueuedNotification } from '../model/notification';
import type { IngestResources, IngestSettings } from '../runtime/config';
import { compileRoutes } from '../routing/routes';
import { inboundSecrets, type InboundSecretStore } from './inbound-secret';
import type { IntakeDependencies } from './intake';
import { secretsManagerSecret } from './secrets-manager-secret';
import { sqsEnqueue } from './sqs-enqueue';

/** What differs between Lambda and local mode: where the inbound secret and the queue are. */
export interface IngestPlatform {
  /** Where the inbound secret is; `undefined` only in local mode without `WEBHOOK_TOKEN`: requests are not authenticated. */
  readonly inboundSecret: InboundSecretStore | undefined;
  readonly enqueue: (notifications: readonly QueuedNotification[]) => Promise<void>;
}

/** Ingest's dependencies, built the same way for Lambda and local mode. */
export function ingestDependencies(settings: IngestSettings, platform: IngestPlatform): IntakeDependencies {
  return {
    inboundSecrets:
      platform.inboundSecret &&
      inboundSecrets(platform.inboundSecret, { graceMs: settings.INBOUND_SECRET_GRACE_MINUTES * 60_000 }),
    enqueue: platform.enqueue,
    channels: Object.keys(settings.CHANNELS),
    enabledSources: settings.ENABLED_SOURCES,
    sourceSettings: settings.SOURCE_SETTINGS,
    routes: compileRoutes(settings.ROUTES),
    templates: settings.TEMPLATES,
  };
}

/** The deployed platform: the stack's inbound secret and delivery queue. */
export function awsIngestPlatform(config: IngestResources): IngestPlatform {
  return {
    inboundSecret: secretsManagerSecret(new SecretsManagerClient({}), config.WEBHOOK_SECRET_ID),
    enqueue: sqsEnqueue(new SQSClient({}), config.QUEUE_URL),
  };
}
