/**
 * A team config → the settings variables of each function: the one place a team's choices become what the functions
 * read. The construct sets them as the functions' environment; `spaces-relay render` reads them with the functions'
 * own readers, so a preview applies a team's settings exactly as its stack's functions do.
 */
import type { DeliverSettingsVariables, IngestSettingsVariables } from '../lambda/runtime/config';
import { DELIVER_CONCURRENCY, DELIVER_MAX_RECEIVES, STATE_TTL_SECONDS } from './limits';
import type { TeamConfig } from './team-config';

/** The settings variables of both functions. The types hold every variable a function reads, so none is left out. */
export interface FunctionSettings {
  readonly ingest: Required<IngestSettingsVariables>;
  // AWS_ENDPOINT_URL points local mode at a local S3; deployed, S3 is AWS's own. MENTIONS only when the team has some.
  readonly deliver: Required<Omit<DeliverSettingsVariables, 'AWS_ENDPOINT_URL' | 'MENTIONS'>> & Pick<DeliverSettingsVariables, 'MENTIONS'>;
}

/**
 * Each function's settings variables, from the team config. `bucketName` gives a watched or attachment bucket's name
 * as the function gets it (a bucket created in the same app has its name only once deployed).
 */
export function functionSettings(config: TeamConfig, bucketName: (bucket: string) => string = (bucket) => bucket): FunctionSettings {
  const channels = JSON.stringify(config.channels);
  const sourceSettings = JSON.stringify(config.sourceSettings);
  const routes = JSON.stringify(config.routes);
  const templates = JSON.stringify(config.templates);
  return {
    ingest: {
      CHANNELS: channels,
      ENABLED_SOURCES: config.sources.join(','),
      SOURCE_SETTINGS: sourceSettings,
      TEMPLATES: templates,
      INBOUND_SECRET_GRACE_MINUTES: String(config.inboundSecretGraceMinutes),
      ROUTES: routes,
    },
    deliver: {
      SPACES_API_URL: config.spacesApiUrl,
      CHANNELS: channels,
      ATTACHMENT_MAX_BYTES: String(config.attachments.maxBytes),
      ATTACHMENT_URL_HOSTS: config.attachments.urlHosts.join(','),
      ATTACHMENT_S3_BUCKETS: [...new Set(config.attachments.s3Buckets.map((bucket) => bucketName(bucket.name)))].join(
        ',',
      ),
      ATTACHMENT_FAILURE: config.attachments.onFailure,
      S3_BUCKETS: JSON.stringify(
        config.s3Buckets.map(({ name, prefix, suffix, channel }) => ({ name: bucketName(name), prefix, suffix, channel })),
      ),
      SOURCE_SETTINGS: sourceSettings,
      TEMPLATES: templates,
      RESOLVE_MODE: config.resolveMode,
      DIGEST_THRESHOLD: String(config.digestThreshold),
      DELIVER_CONCURRENCY: String(DELIVER_CONCURRENCY),
      QUEUE_MAX_RECEIVES: String(DELIVER_MAX_RECEIVES),
      STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
      ROUTES: routes,
      ...(config.mentions && { MENTIONS: JSON.stringify(config.mentions) }),
    },
  };
}
