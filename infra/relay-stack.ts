import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Size,
  Stack,
  Tags,
  Token,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import * as v from 'valibot';
import {
  readDeliverSettings,
  readIngestSettings,
  type DeliverResourceVariables,
  type IngestResourceVariables,
} from '../lambda/runtime/config';
import { AlarmTopic } from './constructs/alarm-topic';
import { S3SettingsSchema } from '../lambda/sources/s3';
import { DeliveryQueue } from './constructs/delivery-queue';
import { EventWiring } from './constructs/event-wiring';
import { RelayAlarms } from './constructs/relay-alarms';
import { RelayDashboard } from './constructs/relay-dashboard';
import { RelayFunction } from './constructs/relay-function';
import { WebhookApi, type WebhookDomain } from './constructs/webhook-api';
import { checkFunctionSettings } from './function-settings';
import {
  DELIVER_BATCH_SIZE,
  DELIVER_BATCHING_WINDOW_SECONDS,
  DELIVER_CONCURRENCY,
  DELIVER_MAX_RECEIVES,
  DELIVER_TIMEOUT_SECONDS,
  FUNCTION_MEMORY_MB,
  INGEST_TIMEOUT_SECONDS,
  QUEUE_VISIBILITY_SECONDS,
} from './limits';
import { grantObjectRead } from './object-read';
import { RelayMetrics } from './relay-metrics';
import { grantSecretValue, ownedSecret, secretByNameOrArn, type SecretReference } from './secret-reference';
import type { Domain, Team } from './team-config';
import { functionSettings } from './team-settings';

/** The name of a team's stack. */
export const stackNameFor = (team: string): string => `SpacesRelay-${team}`;

/** Powertools idempotency's default attribute names; the table is built to match them. */
const IDEMPOTENCY_KEY = 'id';
const IDEMPOTENCY_EXPIRY = 'expiration';

/** Props of {@link RelayStack}. */
export interface RelayStackProps extends StackProps {
  /** The team this relay serves, with its validated config. */
  readonly team: Team;
}

/**
 * One team's relay: the webhook API into ingest, the delivery queue (plus S3, SNS and EventBridge feeding it) into
 * deliver, the idempotency table, and alarms and a dashboard about itself. Each function is granted exactly what it
 * uses.
 */
export class RelayStack extends Stack {
  /** Verifies and queues webhooks. */
  readonly ingest: RelayFunction;
  /** Delivers queued notifications to Spaces. */
  readonly deliver: RelayFunction;
  /** The queue between them, and its dead-letter queue. */
  readonly delivery: DeliveryQueue;
  /** The webhook API. */
  readonly webhooks: WebhookApi;
  /** The SNS topic, S3 notifications and EventBridge rules into the queue. */
  readonly events: EventWiring;
  /** Delivery keys already handled. */
  readonly idempotency: Table;
  /** The secret senders authenticate with. */
  readonly webhookSecret: SecretReference;
  /** Where the relay's own alarms go. */
  readonly alarmTopic: AlarmTopic;
  /** The relay on one page. */
  readonly dashboard: RelayDashboard;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    const { name, config } = props.team;
    super(scope, id, {
      description: `Spaces relay of team ${name}: webhooks and AWS events into Avaya Spaces`,
      env: { account: config.account, region: config.region },
      ...props,
    });
    Tags.of(this).add('spaces-relay:team', name);

    this.delivery = new DeliveryQueue(this, 'Delivery', {
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_SECONDS),
      maxReceiveCount: DELIVER_MAX_RECEIVES,
    });
    this.idempotency = this.idempotencyTable();
    // The relay's own alarms: their topic lets only these names publish, and EventBridge leaves them out.
    const alarmNamePrefix = `${this.stackName}-`;
    this.events = new EventWiring(this, 'Events', {
      queue: this.delivery.queue,
      buckets: config.s3Buckets,
      // Read with the s3 source's own schema (synth has checked it), so the buckets announce deletions exactly when
      // deliver posts them.
      objectRemoved: v.parse(S3SettingsSchema, config.sourceSettings.s3 ?? {}).objectRemoved,
      awsEvents: config.awsEvents,
      ownAlarmPrefix: alarmNamePrefix,
    });
    const tokenSecret = secretByNameOrArn(this, config.tokenSecret);
    this.webhookSecret = config.inboundSecret
      ? secretByNameOrArn(this, config.inboundSecret)
      : ownedSecret(this.generatedWebhookSecret());

    // What the functions count, under these names; the alarms and the dashboard read the same.
    const metrics = new RelayMetrics('SpacesRelay', `spaces-relay-${name}`);
    const common = {
      memorySize: FUNCTION_MEMORY_MB,
      serviceName: metrics.service,
      metricsNamespace: metrics.namespace,
      logLevel: config.logLevel,
      logRetention: config.logRetentionDays,
    };
    // Each function's environment is its settings, from the team config, and its resources, from this stack.
    const { ingest: ingestSettings, deliver: deliverSettings } = functionSettings(config);
    // What synth accepts, the functions accept: their own readers check the settings here, as they will at start-up.
    checkFunctionSettings(props.team, 'ingest', ingestSettings, readIngestSettings);
    checkFunctionSettings(props.team, 'deliver', deliverSettings, readDeliverSettings);
    const ingestResources: Required<IngestResourceVariables> = {
      WEBHOOK_SECRET_ID: this.webhookSecret.secretId,
      QUEUE_URL: this.delivery.queue.queueUrl,
    };
    const deliverResources: Required<DeliverResourceVariables> = {
      SPACES_TOKEN_SECRET_ID: tokenSecret.secretId,
      IDEMPOTENCY_TABLE: this.idempotency.tableName,
      DLQ_URL: this.delivery.deadLetterQueue.queueUrl,
      QUEUE_URL: this.delivery.queue.queueUrl,
    };

    this.ingest = new RelayFunction(this, 'Ingest', {
      ...common,
      entry: 'lambda/handlers/ingest.ts',
      description: `Spaces relay (${name}): verifies and queues webhooks`,
      // Ingest uses two core clients (SQS, Secrets Manager) that every nodejs22.x runtime ships; taking them from
      // the runtime keeps its bundle at ~60 KB instead of ~380 KB. Deliver bundles its SDK: it uses more of it
      // (S3, DynamoDB helpers), and pinning those to the tested versions is worth the size there.
      bundleAwsSdk: false,
      timeout: Duration.seconds(INGEST_TIMEOUT_SECONDS),
      environment: { ...ingestSettings, ...ingestResources },
    });
    grantSecretValue(this.ingest.role, this.webhookSecret);
    allow(this.ingest.role, ['sqs:SendMessage'], [this.delivery.queue.queueArn]);

    this.deliver = new RelayFunction(this, 'Deliver', {
      ...common,
      entry: 'lambda/handlers/deliver.ts',
      description: `Spaces relay (${name}): delivers queued notifications to Avaya Spaces`,
      timeout: Duration.seconds(DELIVER_TIMEOUT_SECONDS),
      // A URL attachment whose server announces no length is staged in /tmp: Spaces needs the exact size up front.
      ephemeralStorageSize: Size.mebibytes(1024),
      environment: { ...deliverSettings, ...deliverResources },
    });
    grantSecretValue(this.deliver.role, tokenSecret);
    // An OAuth grant in the token secret is renewed by deliver, which writes the new access token (shared by the
    // invocations) and a rotated refresh token back as the secret's new version. Granted whatever the secret holds:
    // the stack never sees its value, and a team may replace a token with a grant (put-secret-value) without a
    // deploy. It reaches this one secret and nothing else, so at worst deliver replaces its own credential.
    allow(this.deliver.role, ['secretsmanager:PutSecretValue'], [tokenSecret.policyArn]);
    allow(
      this.deliver.role,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [this.idempotency.tableArn],
    );
    // Permanent failures go straight to the dead-letter queue with their reason, instead of useless retries.
    allow(this.deliver.role, ['sqs:SendMessage'], [this.delivery.deadLetterQueue.queueArn]);
    // The uploads it posts, and the objects alerts may reference; each limited to its prefix (the IAM policy is what
    // enforces a prefix: deliver itself is only told the bucket names).
    grantObjectRead(this.deliver.role, [...config.s3Buckets, ...config.attachments.s3Buckets]);
    this.deliver.function.addEventSource(
      new SqsEventSource(this.delivery.queue, {
        batchSize: DELIVER_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(DELIVER_BATCHING_WINDOW_SECONDS),
        reportBatchItemFailures: true,
        // Spaces limits are per user (60 requests/min per endpoint, 30 uploads/min, 600 requests per 5 min), and a
        // concurrency cannot express a rate: deliver keeps to them with an in-process limiter per invocation, each
        // taking 1/DELIVER_CONCURRENCY of every limit, and honours Retry-After on a 429. The bound is set on the event
        // source, not as reserved concurrency: SQS pollers then stop at it instead of being throttled (a throttled
        // receive counts towards maxReceiveCount and pushes healthy messages into the DLQ), and a new account with a
        // 10-function concurrency quota can still deploy (reserving any concurrency there fails).
        maxConcurrency: DELIVER_CONCURRENCY,
      }),
    );

    this.webhooks = new WebhookApi(this, 'Webhooks', {
      handler: this.ingest.function,
      rateLimit: config.api.rateLimit,
      burstLimit: config.api.burstLimit,
      logRetention: config.logRetentionDays,
      metricsNamespace: metrics.namespace,
      domain: config.domain && webhookDomain(config.domain),
    });
    if (config.domain && Token.isUnresolved(this.region)) {
      // The team config checked the certificate's region against its own `region`; without one, nothing can.
      Annotations.of(this).addWarningV2(
        'spaces-relay:certificate-region',
        `domain.certificateArn is a certificate in ${config.domain.certificateArn.split(':')[3]}; ${props.team.origin} names no region, so synth cannot check that the stack deploys there (a regional API needs its certificate in its own region): add "region" to be sure`,
      );
    }

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      alarmNamePrefix,
      queue: this.delivery.queue,
      subscriptions: config.alarmSubscriptions,
    });
    this.warnIfNobodyHearsOfAlarms(props.team);
    const watched = {
      metrics,
      webhooks: this.webhooks,
      deliver: this.deliver.function,
      queue: this.delivery.queue,
      deadLetterQueue: this.delivery.deadLetterQueue,
    };
    new RelayAlarms(this, 'Alarms', { ...watched, targets: this.alarmTopic.targets, namePrefix: alarmNamePrefix });
    this.dashboard = new RelayDashboard(this, 'Dashboard', {
      ...watched,
      // Dashboards are global to an account: the region keeps two regions' relays of one team apart.
      dashboardName: `${this.stackName}-${this.region}`,
      deliverTimeout: Duration.seconds(DELIVER_TIMEOUT_SECONDS),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.webhooks.url, description: 'Base URL of the webhook API' });
    new CfnOutput(this, 'WebhookUrlAutoDetect', {
      value: `${this.webhooks.url}hooks`,
      description: 'Webhook URL that detects the sender from the request',
    });
    for (const source of config.sources) {
      new CfnOutput(this, `WebhookUrl${source.charAt(0).toUpperCase()}${source.slice(1)}`, {
        value: this.webhooks.webhookUrl(source),
        description: `Webhook URL for ${source} (append /<channel> for a channel other than default)`,
      });
    }
    if (this.webhooks.domain) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.webhooks.domain.regionalDomainName,
        description: config.domain?.hostedZoneId
          ? 'Where the alias record of the custom domain points'
          : 'Point a CNAME record for the custom domain at this name',
      });
    }
    new CfnOutput(this, 'InboundSecretArn', {
      value: this.webhookSecret.arn,
      description: 'Secret senders authenticate with (read it with aws secretsmanager get-secret-value)',
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: this.events.topic.topicArn,
      description: "SNS topic for the team's CloudWatch alarm actions and CodeStar notification rules; the relay posts what arrives here",
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: "SNS topic of the relay's own alarms (subscribe more people to it; alarmSubscriptions does so)",
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: this.dashboard.url,
      description: 'CloudWatch dashboard of the relay',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.delivery.deadLetterQueue.queueUrl,
      description: 'Notifications that could not be delivered',
    });
  }

  /** Alarms that only reach the space go unheard exactly when delivery fails: said at synth, not refused. */
  private warnIfNobodyHearsOfAlarms({ origin, config }: Team): void {
    const { emails, httpsEndpoints, topicArns } = config.alarmSubscriptions;
    if (emails.length + httpsEndpoints.length + topicArns.length > 0) return;
    Annotations.of(this).addWarningV2(
      'spaces-relay:no-alarm-subscriptions',
      `${origin} lists no alarmSubscriptions: the relay's alarms reach only the team's space, through the very ` +
        'delivery they watch, so nobody hears when Spaces, the token or deliver fails.',
    );
  }

  private idempotencyTable(): Table {
    const table = new Table(this, 'Idempotency', {
      partitionKey: { name: IDEMPOTENCY_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_EXPIRY,
      // A cache of recent delivery keys, nothing to keep once the relay is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The table only holds delivery keys and delivery progress that expire within weeks (TTL); a restore would ' +
        'bring back nothing of value, and losing it costs at most one duplicate message per notification in flight.',
    });
    return table;
  }

  private generatedWebhookSecret(): Secret {
    const secret = new Secret(this, 'WebhookSecret', {
      description: `Shared secret webhook senders of ${this.stackName} authenticate with`,
      // Letters and digits only: it goes into HTTP headers, YAML and URLs unescaped.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every sender (Alertmanager, Grafana, GitHub, ...) holds a copy entered by hand, so an automatic rotation ' +
        'would start a grace period nobody watches and then cut them all off; it is rotated by hand, with a grace ' +
        'period in which ingest accepts the previous value too, as the README describes.',
    });
    return secret;
  }
}

/** The API's custom domain from the team config's `domain`. */
function webhookDomain({ name, certificateArn, hostedZoneId, zoneName }: Domain): WebhookDomain {
  return {
    name,
    certificateArn,
    zone: hostedZoneId !== undefined && zoneName !== undefined ? { id: hostedZoneId, name: zoneName } : undefined,
  };
}

function allow(role: IRole, actions: string[], resources: string[]): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
}
