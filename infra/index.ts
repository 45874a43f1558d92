/**
 * spaces-relay as a CDK construct library: {@link SpacesRelay} in an app of your own, configured with the fields of
 * the team config; or {@link RelayStack}, one team's stack as the standalone app deploys it.
 */
export {
  SpacesRelay,
  type AlarmSubscriptionSettings,
  type ApiSettings,
  type AttachmentBucket,
  type AttachmentSettings,
  type AwsEventsSettings,
  type DomainSettings,
  type SpacesRelayProps,
  type WatchedBucket,
  type WatchedBucketOptions,
} from './spaces-relay';
export { RelayStack, relayProps, type RelayStackProps } from './relay-stack';
export {
  parseTeamConfig,
  readTeam,
  readTeams,
  stackNameFor,
  TeamConfigError,
  TeamConfigSchema,
  type Team,
  type TeamConfig,
} from './team-config';
export type { AlarmTopic } from './constructs/alarm-topic';
export type { DeliveryQueue } from './constructs/delivery-queue';
export type { EventWiring } from './constructs/event-wiring';
export type { RelayDashboard } from './constructs/relay-dashboard';
export type { RelayFunction } from './constructs/relay-function';
export type { WebhookApi } from './constructs/webhook-api';
