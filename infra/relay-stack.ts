import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SpacesRelay, type SpacesRelayProps } from './spaces-relay';
import type { Team } from './team-config';

/** Props of {@link RelayStack}. */
export interface RelayStackProps extends StackProps {
  /** The team this relay serves, with its validated config. */
  readonly team: Team;
}

/**
 * One team's relay as the standalone app deploys it: a {@link SpacesRelay} from the team's config file, alone in a
 * stack of the team's account and region, with the URLs and ARNs a team needs as outputs.
 */
export class RelayStack extends Stack {
  /** The relay. */
  readonly relay: SpacesRelay;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    const { name, config } = props.team;
    super(scope, id, {
      description: `Spaces relay of team ${name}: webhooks and AWS events into Avaya Spaces`,
      env: { account: config.account, region: config.region },
      ...props,
    });
    Tags.of(this).add('spaces-relay:team', name);
    // The id "Default" leaves no trace in the logical ids: the stack's resources keep the ids they had before the relay
    // became a construct, and an update replaces none of them.
    this.relay = new SpacesRelay(this, 'Default', relayProps(props.team));
    const relay = this.relay;

    new CfnOutput(this, 'ApiUrl', { value: relay.webhooks.url, description: 'Base URL of the webhook API' });
    new CfnOutput(this, 'WebhookUrlAutoDetect', {
      value: `${relay.webhooks.url}hooks`,
      description: 'Webhook URL that detects the sender from the request',
    });
    for (const source of config.sources) {
      new CfnOutput(this, `WebhookUrl${source.charAt(0).toUpperCase()}${source.slice(1)}`, {
        value: relay.webhooks.webhookUrl(source),
        description: `Webhook URL for ${source} (append /<channel> for a channel other than default)`,
      });
    }
    if (relay.webhooks.domain) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: relay.webhooks.domain.regionalDomainName,
        description: config.domain?.hostedZoneId
          ? 'Where the alias record of the custom domain points'
          : 'Point a CNAME record for the custom domain at this name',
      });
    }
    new CfnOutput(this, 'InboundSecretArn', {
      value: relay.webhookSecret.arn,
      description: 'Secret senders authenticate with (read it with aws secretsmanager get-secret-value)',
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: relay.events.topic.topicArn,
      description: "SNS topic for the team's CloudWatch alarm actions and CodeStar notification rules; the relay posts what arrives here",
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: relay.alarmTopic.topic.topicArn,
      description: "SNS topic of the relay's own alarms (subscribe more people to it; alarmSubscriptions does so)",
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: relay.dashboard.url,
      description: 'CloudWatch dashboard of the relay',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: relay.delivery.deadLetterQueue.queueUrl,
      description: 'Notifications that could not be delivered',
    });
  }
}

/** The construct's props for a team config read from its file: the same fields, buckets and topics by name. */
export function relayProps({ name, origin, config }: Team): SpacesRelayProps {
  const { account: _account, region: _region, s3Buckets, attachments, alarmSubscriptions, ...same } = config;
  return {
    ...same,
    name,
    origin,
    s3Buckets: s3Buckets.map(({ name: bucket, ...watch }) => ({ ...watch, bucket })),
    attachments: {
      ...attachments,
      s3Buckets: attachments.s3Buckets.map(({ name: bucket, ...scope }) => ({ ...scope, bucket })),
    },
    alarmSubscriptions: {
      emails: alarmSubscriptions.emails,
      httpsEndpoints: alarmSubscriptions.httpsEndpoints,
      topics: alarmSubscriptions.topicArns,
    },
  };
}
