import { Annotations, Duration, RemovalPolicy, Size, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as v from 'valibot';
import {
  readDeliverSettings,
  readIngestSettings,
  type ATTACHMENT_FAILURE_MODES,
  type DeliverResourceVariables,
  type IngestResourceVariables,
  type RESOLVE_MODES,
} from '../lambda/runtime/config';
import { MentionsSchema } from '../lambda/render/mentions';
import { RoutesSchema } from '../lambda/routing/routes';
import { S3SettingsSchema } from '../lambda/sources/s3';
import { CdkReferences, known } from './cdk-references';
import { AlarmTopic } from './constructs/alarm-topic';
import { DeliveryQueue } from './constructs/delivery-queue';
import { EventWiring } from './constructs/event-wiring';
import { RelayAlarms } from './constructs/relay-alarms';
import { RelayDashboard } from './constructs/relay-dashboard';
import { RelayFunction } from './constructs/relay-function';
import { WebhookApi, type WebhookDomain } from './constructs/webhook-api';
import { checkFunctionSettings } from './function-settings';
import { functionSettings } from './team-settings';
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
import { grantObjectRead, type ObjectScope } from './object-read';
import { RelayMetrics } from './relay-metrics';
import { grantSecretValue, grantSecretWrite, secretByNameOrArn, secretOf, type SecretReference } from './secret-reference';
import {
  checkTeamName,
  parseTeamConfig,
  TeamConfigError,
  type Domain,
  type LOG_LEVELS,
  type Team,
  type TeamConfig,
} from './team-config';

/** Powertools idempotency's default attribute names; the table is built to match them. */
const IDEMPOTENCY_KEY = 'id';
const IDEMPOTENCY_EXPIRY = 'expiration';

/** A bucket whose new objects the relay posts, with the file attached (the team config's `s3Buckets`). */
export interface WatchedBucket {
  /**
   * The bucket: one of the app (of any of its stacks), imported, or an existing one's name. It is given an event
   * notification, made in the relay's stack, and nothing else (its other notifications are kept); it must be in the
   * stack's account and region.
   */
  readonly bucket: IBucket | string;
  /** Only keys that start with this, taken literally (no wildcards). @default every key */
  readonly prefix?: string;
  /** Only keys that end with this, taken literally. @default every key */
  readonly suffix?: string;
  /** The channel its objects are posted to, one of `channels`. @default "default" */
  readonly channel?: string;
  /**
   * The ARN of the customer-managed KMS key its objects are encrypted with: deliver may decrypt through S3.
   * @default the key of a bucket object given (its `encryptionKey`), else none
   */
  readonly kmsKeyArn?: string;
}

/** Options of {@link SpacesRelay.addBucket}: a {@link WatchedBucket} without its bucket. */
export type WatchedBucketOptions = Omit<WatchedBucket, 'bucket'>;

/** A bucket (or only its keys under a prefix) whose objects alerts may reference, read-only, to be attached. */
export interface AttachmentBucket {
  /** The bucket: one of the app, imported, or an existing one's name. */
  readonly bucket: IBucket | string;
  /** Only keys that start with this, taken literally. @default every key */
  readonly prefix?: string;
  /**
   * The ARN of the customer-managed KMS key its objects are encrypted with. @default the key of a bucket object given
   * (its `encryptionKey`), else none
   */
  readonly kmsKeyArn?: string;
}

/** What alerts may attach besides the files of watched buckets (the team config's `attachments`). */
export interface AttachmentSettings {
  /** The largest file attached, in bytes; a larger one is left out with a note. @default 1 GiB, the Spaces limit */
  readonly maxBytes?: number;
  /**
   * Hosts whose URLs (a Grafana panel image) deliver may fetch and attach, such as `grafana.example.com`,
   * `*.example.com` or `http://grafana.internal:3000`. @default none: no URL is fetched
   */
  readonly urlHosts?: readonly string[];
  /** Buckets whose objects alerts may reference. @default none */
  readonly s3Buckets?: readonly AttachmentBucket[];
  /** What happens when a file cannot be attached: post with a note, or retry the notification. @default "note" */
  readonly onFailure?: (typeof ATTACHMENT_FAILURE_MODES)[number];
}

/** The EventBridge rules into the relay; an empty list means every alarm, project or pipeline of the account. */
export interface AwsEventsSettings {
  /** CloudWatch alarm state changes of alarms whose names start with one of the prefixes. @default not wired */
  readonly alarmStateChanges?: { readonly alarmNamePrefixes?: readonly string[] };
  /** CodeBuild build state changes of these projects. @default not wired */
  readonly codebuild?: { readonly projects?: readonly string[] };
  /** CodePipeline execution state changes of these pipelines. @default not wired */
  readonly codepipeline?: { readonly pipelines?: readonly string[] };
}

/**
 * Who hears of the relay's own alarms without going through the relay (which cannot post when Spaces, the token or
 * deliver is what fails).
 */
export interface AlarmSubscriptionSettings {
  /** E-mail addresses subscribed to the alarm topic (each confirms once). @default none */
  readonly emails?: readonly string[];
  /** HTTPS endpoints subscribed to the alarm topic (a paging service). @default none */
  readonly httpsEndpoints?: readonly string[];
  /**
   * Existing standard topics in the stack's region the alarms publish to as well (SNS cannot subscribe a topic to a
   * topic); their policy must let `cloudwatch.amazonaws.com` publish. @default none
   */
  readonly topics?: readonly (ITopic | string)[];
}

/** The webhook API's stage throttling. */
export interface ApiSettings {
  /** Steady-state requests per second. @default 50 */
  readonly rateLimit?: number;
  /** Requests that may arrive at once above the steady rate. @default 500 */
  readonly burstLimit?: number;
}

/** A custom domain for the webhook API: a URL that outlives the API. */
export interface DomainSettings {
  /** The domain name senders post to, such as `relay.example.com`. */
  readonly name: string;
  /** The ARN of an ACM certificate for the name, in the stack's region. */
  readonly certificateArn: string;
  /** The Route 53 hosted zone to add the alias record to (with `zoneName`). @default the DNS record is yours to create */
  readonly hostedZoneId?: string;
  /** The domain name of that zone, such as `example.com`. @default none */
  readonly zoneName?: string;
}

/**
 * Props of {@link SpacesRelay}: the team config's fields (`teams/<team>.json` of the standalone app), with CDK objects
 * where the config holds names, and checked at synth by the same schema, with the same messages. Only `channels`,
 * `tokenSecret` and `sources` are required; the defaults are the secure ones.
 */
export interface SpacesRelayProps {
  /** The team (or relay) name: in the functions' descriptions, the metrics' service `spaces-relay-<name>` and a tag. */
  readonly name: string;
  /** What messages about these props name, such as the file they were read from. @default "SpacesRelay <path>" */
  readonly origin?: string;
  /** The Avaya Spaces REST base URL (https) of the tenant's region, or of staging. @default "https://spacesapis.avayacloud.com" */
  readonly spacesApiUrl?: string;
  /** Channel name → Spaces space id (24 hexadecimal characters); `default` is required. */
  readonly channels: Readonly<Record<string, string>>;
  /**
   * The Secrets Manager secret holding the Spaces credential (a token, `{"scheme","token"}` or an OAuth2 refresh
   * grant): a secret of the app, an imported one, or a name or complete ARN. Deliver reads it, and writes a renewed
   * OAuth grant back to it.
   */
  readonly tokenSecret: ISecret | string;
  /** The secret senders authenticate with. @default one is generated (letters and digits, 48 characters) */
  readonly inboundSecret?: ISecret | string;
  /** Minutes the previous inbound secret is still accepted after a rotation (at most a week). @default 60 */
  readonly inboundSecretGraceMinutes?: number;
  /** The webhook sources accepted at `POST /hooks/<source>` (may be empty), such as `alertmanager` or `github`. */
  readonly sources: readonly string[];
  /** Per-source options, keyed by source name, checked with each source's own schema. @default none */
  readonly sourceSettings?: Readonly<Record<string, unknown>>;
  /** Buckets whose new objects are posted (more with {@link SpacesRelay.addBucket}). @default none */
  readonly s3Buckets?: readonly WatchedBucket[];
  /** EventBridge rules to wire (more with {@link SpacesRelay.addAwsEvents}). @default none */
  readonly awsEvents?: AwsEventsSettings;
  /** What alerts may attach. @default referenced files up to 1 GiB, from no URL host and no other bucket */
  readonly attachments?: AttachmentSettings;
  /** Who hears of the relay's own alarms besides the team's space. @default nobody (synth warns) */
  readonly alarmSubscriptions?: AlarmSubscriptionSettings;
  /** The webhook API's throttling. @default 50 requests a second, bursts of 500 */
  readonly api?: ApiSettings;
  /** A custom domain for the webhook API. @default the execute-api URL only */
  readonly domain?: DomainSettings;
  /** What a resolved alert does: edit the message that announced it, post a new one, or both. @default "edit-and-post" */
  readonly resolveMode?: (typeof RESOLVE_MODES)[number];
  /** From this many text-only notifications for one space in one batch, they are folded into digests (1–50). @default 20 */
  readonly digestThreshold?: number;
  /**
   * Where each message goes, or that it is dropped: `{match, channel}` or `{match, drop: true}`, first match wins,
   * starting from the channel the webhook path names. @default none: every message to the channel its path names
   */
  readonly routes?: v.InferInput<typeof RoutesSchema>;
  /**
   * How each source's messages read: Liquid templates for the title, summary, fields, item line and link labels, keyed
   * by source, and optionally per channel under that source's `channels`
   * (`{ alertmanager: { title: '…', channels: { ci: { summary: '…' } } } }`). Checked at synth against sample payloads
   * of each source. @default the relay's own rendering
   */
  readonly templates?: Readonly<Record<string, unknown>>;
  /** Spaces users or groups called on by the messages that match a rule (`<mention>` tags). @default nobody */
  readonly mentions?: v.InferInput<typeof MentionsSchema>;
  /** The functions' log level. @default "INFO" */
  readonly logLevel?: (typeof LOG_LEVELS)[number];
  /** Days the functions' and the API's logs are kept (a CloudWatch Logs retention). @default 30 */
  readonly logRetentionDays?: number;
}

/**
 * One team's Avaya Spaces relay: the webhook API into ingest, the delivery queue (plus S3, SNS and EventBridge feeding
 * it) into deliver, the idempotency table, and alarms and a dashboard about itself. Each function is granted exactly
 * what it uses. Its functions come bundled with the package: deploying needs neither esbuild nor Docker.
 *
 * Names (alarms, dashboard) are made from the stack's name, so a stack holds one relay.
 */
export class SpacesRelay extends Construct {
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
  /** Where the relay's own alarms go (`alarmTopic.topic`; subscribe to it). */
  readonly alarmTopic: AlarmTopic;
  /** The relay on one page (`dashboard.dashboard`, `dashboard.url`). */
  readonly dashboard: RelayDashboard;
  /** The props as validated, defaults filled in, in the team config's terms. */
  private team: Team;
  private readonly references: CdkReferences;

  constructor(scope: Construct, id: string, props: SpacesRelayProps) {
    super(scope, id);
    const stack = Stack.of(this);
    refuseSecondRelay(stack, this);
    checkTeamName(props.name);
    this.references = new CdkReferences(known(stack.region));
    const origin = props.origin ?? `SpacesRelay ${this.node.path}`;
    this.team = { name: props.name, origin, config: parseTeamConfig(this.configInput(props), origin) };
    const { name, config } = this.team;
    Tags.of(this).add('spaces-relay:team', name);

    this.delivery = new DeliveryQueue(this, 'Delivery', {
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_SECONDS),
      maxReceiveCount: DELIVER_MAX_RECEIVES,
    });
    this.idempotency = this.idempotencyTable();
    // The relay's own alarms: their topic lets only these names publish, and EventBridge leaves them out.
    const alarmNamePrefix = `${stack.stackName}-`;
    this.events = new EventWiring(this, 'Events', {
      queue: this.delivery.queue,
      buckets: config.s3Buckets,
      bucketOf: (bucket) => this.references.bucketOf(bucket),
      // Read with the s3 source's own schema (synth has checked it), so the buckets announce deletions exactly when
      // deliver posts them.
      objectRemoved: v.parse(S3SettingsSchema, config.sourceSettings.s3 ?? {}).objectRemoved,
      awsEvents: config.awsEvents,
      ownAlarmPrefix: alarmNamePrefix,
    });
    const tokenSecret = this.secretReference(config.tokenSecret);
    this.webhookSecret = config.inboundSecret
      ? this.secretReference(config.inboundSecret)
      : secretOf(this.generatedWebhookSecret());

    // What the functions count, under these names; the alarms and the dashboard read the same.
    const metrics = new RelayMetrics('SpacesRelay', `spaces-relay-${name}`);
    const common = {
      memorySize: FUNCTION_MEMORY_MB,
      serviceName: metrics.service,
      metricsNamespace: metrics.namespace,
      logLevel: config.logLevel,
      logRetention: config.logRetentionDays,
    };
    // What synth accepts, the functions accept: their own readers check the settings here, as they will at start-up,
    // with the config's values (a bucket of the app stands in by a name of the same shape); the functions get the
    // deployed ones.
    const checked = functionSettings(config, (bucket) => bucket);
    checkFunctionSettings(this.team, 'ingest', checked.ingest, readIngestSettings);
    checkFunctionSettings(this.team, 'deliver', checked.deliver, readDeliverSettings);
    const { ingest: ingestSettings, deliver: deliverSettings } = functionSettings(config, (bucket) =>
      this.references.bucketName(bucket),
    );
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
      name: 'ingest',
      description: `Spaces relay (${name}): verifies and queues webhooks`,
      timeout: Duration.seconds(INGEST_TIMEOUT_SECONDS),
      environment: { ...ingestSettings, ...ingestResources },
    });
    grantSecretValue(this.ingest.role, this.webhookSecret);
    allow(this.ingest.role, ['sqs:SendMessage'], [this.delivery.queue.queueArn]);

    this.deliver = new RelayFunction(this, 'Deliver', {
      ...common,
      name: 'deliver',
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
    grantSecretWrite(this.deliver.role, tokenSecret);
    allow(
      this.deliver.role,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [this.idempotency.tableArn],
    );
    // Permanent failures go straight to the dead-letter queue with their reason, instead of useless retries.
    allow(this.deliver.role, ['sqs:SendMessage'], [this.delivery.deadLetterQueue.queueArn]);
    // The uploads it posts, and the objects alerts may reference; each limited to its prefix (the IAM policy is what
    // enforces a prefix: deliver itself is only told the bucket names).
    grantObjectRead(this.deliver.role, this.objectScopes([...config.s3Buckets, ...config.attachments.s3Buckets]));
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
    if (config.domain && Token.isUnresolved(stack.region)) {
      // The team config checked the certificate's region against its own `region`; without one, nothing can.
      Annotations.of(this).addWarningV2(
        'spaces-relay:certificate-region',
        `domain.certificateArn is a certificate in ${config.domain.certificateArn.split(':')[3]}; ${origin} names no region, so synth cannot check that the stack deploys there (a regional API needs its certificate in its own region): add "region" to be sure`,
      );
    }

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      alarmNamePrefix,
      queue: this.delivery.queue,
      subscriptions: config.alarmSubscriptions,
      topicOf: (arn) => this.references.topicOf(arn),
    });
    this.warnIfNobodyHearsOfAlarms(this.team);
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
      dashboardName: `${stack.stackName}-${stack.region}`,
      deliverTimeout: Duration.seconds(DELIVER_TIMEOUT_SECONDS),
    });
  }

  /**
   * The props as validated, defaults filled in, in the team config's terms: buckets, secrets and topics by name or ARN,
   * one of the app whose name is only known at deploy time by the value that stands for it (its construct address).
   */
  get config(): TeamConfig {
    return this.team.config;
  }

  /** The webhook API. */
  get api(): HttpApi {
    return this.webhooks.api;
  }

  /** The delivery queue: anything that sends it an S3, SNS or EventBridge event is relayed to the space. */
  get queue(): Queue {
    return this.delivery.queue;
  }

  /** Notifications that could not be delivered, each with its reason (attribute `failure-reason`). */
  get deadLetterQueue(): Queue {
    return this.delivery.deadLetterQueue;
  }

  /** The topic for the team's CloudWatch alarm actions and CodeStar notification rules. */
  get notificationTopic(): ITopic {
    return this.events.topic;
  }

  /**
   * The URL a sender posts to: `<api>/hooks/<source>`, or `<api>/hooks/<source>/<channel>` for a channel other than
   * `default`. The source must be one of `sources`, the channel one of `channels`.
   */
  webhookUrl(source: string, channel?: string): string {
    const { sources, channels } = this.config;
    if (!sources.includes(source)) {
      throw new TeamConfigError(`${this.team.origin}: "${source}" is not one of the sources (${sources.join(', ')})`);
    }
    if (channel !== undefined && !Object.hasOwn(channels, channel)) {
      throw new TeamConfigError(
        `${this.team.origin}: "${channel}" is not one of the channels (${Object.keys(channels).join(', ')})`,
      );
    }
    const url = this.webhooks.webhookUrl(source);
    return channel === undefined ? url : `${url}/${channel}`;
  }

  /**
   * Posts the new objects of one more bucket (its deletions too with the `s3` source's `objectRemoved`): the bucket gets
   * an event notification, and deliver may read the objects it announces. Checked as `s3Buckets` is.
   */
  addBucket(bucket: IBucket | string, options: WatchedBucketOptions = {}): void {
    const watch = { ...options, name: this.references.bucket(bucket) };
    this.revalidate((input) => ({ ...input, s3Buckets: [...((input.s3Buckets as unknown[]) ?? []), watch] }));
    // S3_BUCKETS changes: deliver's reader checks it again, as it checked the first ones (see the constructor).
    checkFunctionSettings(this.team, 'deliver', functionSettings(this.config).deliver, readDeliverSettings);
    const added = this.config.s3Buckets.at(-1)!;
    this.events.watchBucket(added);
    grantObjectRead(this.deliver.role, this.objectScopes([added]));
    this.deliver.addEnvironment(
      'S3_BUCKETS',
      functionSettings(this.config, (name) => this.references.bucketName(name)).deliver.S3_BUCKETS,
    );
  }

  /** Wires more EventBridge rules into the relay; each kind (`alarmStateChanges`, `codebuild`, `codepipeline`) once. */
  addAwsEvents(events: AwsEventsSettings): void {
    const wired = Object.keys(events).filter((kind) => Object.hasOwn(this.config.awsEvents, kind));
    if (wired.length > 0) {
      throw new TeamConfigError(`${this.team.origin}: awsEvents ${wired.join(', ')} already wired`);
    }
    this.revalidate((input) => ({ ...input, awsEvents: { ...(input.awsEvents as object), ...events } }));
    const added = Object.fromEntries(Object.entries(this.config.awsEvents).filter(([kind]) => kind in events));
    this.events.addEventRules(added);
  }

  /** The team config's input for the props: each CDK object given as the value that stands for it. */
  private configInput(props: SpacesRelayProps): Record<string, unknown> {
    const { name: _name, origin: _origin, tokenSecret, inboundSecret, s3Buckets, attachments, alarmSubscriptions, ...plain } =
      props;
    const refs = this.references;
    const stack = Stack.of(this);
    return {
      ...plain,
      // Where the stack deploys, when synth knows it: the config's checks of regions and accounts then apply.
      account: known(stack.account),
      region: known(stack.region),
      tokenSecret: refs.secret(tokenSecret),
      inboundSecret: inboundSecret === undefined ? undefined : refs.secret(inboundSecret),
      s3Buckets: s3Buckets?.map(({ bucket, ...watch }) => ({ ...watch, name: refs.bucket(bucket) })),
      attachments: attachments && {
        ...attachments,
        s3Buckets: attachments.s3Buckets?.map(({ bucket, ...scope }) => ({ ...scope, name: refs.bucket(bucket) })),
      },
      alarmSubscriptions: alarmSubscriptions && {
        emails: alarmSubscriptions.emails,
        httpsEndpoints: alarmSubscriptions.httpsEndpoints,
        topicArns: alarmSubscriptions.topics?.map((topic) => refs.topic(topic)),
      },
    };
  }

  /** Validates the config again with a change (a bucket, rules added later), as the props were. */
  private revalidate(change: (input: Record<string, unknown>) => Record<string, unknown>): void {
    const { name, origin, config } = this.team;
    this.team = { name, origin, config: parseTeamConfig(change({ ...config }), origin) };
  }

  /** A secret of the config: the secret object given for it, else by its name or ARN. */
  private secretReference(value: string): SecretReference {
    const secret = this.references.secretOf(value);
    return secret ? secretOf(secret) : secretByNameOrArn(Stack.of(this), value);
  }

  /**
   * Buckets of the config as read grants name them: by their deployed names, and with the key of a bucket object given
   * for one (its ARN is only known at deploy time, so it cannot go through the config).
   */
  private objectScopes<T extends ObjectScope>(scopes: readonly T[]): T[] {
    return scopes.map((scope) => ({
      ...scope,
      name: this.references.bucketName(scope.name),
      kmsKeyArn: scope.kmsKeyArn ?? this.references.bucketOf(scope.name)?.encryptionKey?.keyArn,
    }));
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
      description: `Shared secret webhook senders of ${Stack.of(this).stackName} authenticate with`,
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

/** Names (alarms, dashboard, API) are made from the stack's name: two relays in one stack would take the same ones. */
function refuseSecondRelay(stack: Stack, relay: SpacesRelay): void {
  const other = stack.node.findAll().find((construct) => construct instanceof SpacesRelay && construct !== relay);
  if (other) {
    throw new Error(
      `${relay.node.path}: the stack already holds a SpacesRelay (${other.node.path}); its names are made from the stack's name, so give each relay a stack of its own`,
    );
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
