import { Aws, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Rule, type EventPattern } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Bucket, EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowAlarmsToPublish } from '../alarm-publish';
import type { AwsEvents, BucketWatch } from '../team-config';

/** Props of {@link EventWiring}. */
export interface EventWiringProps {
  /** The delivery queue every event goes to. */
  readonly queue: IQueue;
  /** Existing buckets whose new objects are announced; none is created or replaced. */
  readonly buckets: readonly BucketWatch[];
  /**
   * The bucket object given for a watched bucket's name, if any (one of another stack is imported by its name all the
   * same). @default each bucket is imported by its name
   */
  readonly bucketOf?: (name: string) => IBucket | undefined;
  /**
   * Deletions from those buckets are announced too (the `s3` source's `objectRemoved` setting): deliver posts them only
   * then, so the buckets are asked for them only then.
   */
  readonly objectRemoved: boolean;
  /** The EventBridge rules to create. */
  readonly awsEvents: AwsEvents;
  /** Alarm names that start with this are the relay's own, which reach the queue through their own topic already. */
  readonly ownAlarmPrefix: string;
}

/**
 * The AWS-native paths into the delivery queue, none of which needs a URL: an SNS topic for the team's CloudWatch alarm
 * actions and CodeStar notification rules, S3 event notifications from existing buckets, and EventBridge rules for
 * alarm state changes, CodeBuild builds and CodePipeline executions. Each sender gets `sqs:SendMessage` in the queue
 * policy, limited to its own ARN. (The relay's own alarms have a topic of their own, see `AlarmTopic`.)
 */
export class EventWiring extends Construct {
  /** The team's alarm actions and CodeStar notification rules publish here. */
  readonly topic: Topic;
  private readonly props: EventWiringProps;
  private notificationsHandlerAcknowledged = false;

  constructor(scope: Construct, id: string, props: EventWiringProps) {
    super(scope, id);
    this.props = props;
    this.topic = this.notificationTopic(props.queue);
    for (const watch of props.buckets) this.watchBucket(watch);
    this.addEventRules(props.awsEvents);
  }

  /** Announces the new objects of one more bucket (prefix, suffix), and their deletions when `objectRemoved` says so. */
  watchBucket(watch: BucketWatch): void {
    const destination = new SqsDestination(this.props.queue);
    // One configuration per event type and filter: S3 refuses two that share an event type and overlap, not two that
    // differ in event type with the same filter.
    const events = this.props.objectRemoved
      ? [EventType.OBJECT_CREATED, EventType.OBJECT_REMOVED]
      : [EventType.OBJECT_CREATED];
    const filter = {
      ...(watch.prefix !== undefined && { prefix: watch.prefix }),
      ...(watch.suffix !== undefined && { suffix: watch.suffix }),
    };
    // A filter with neither prefix nor suffix is refused; the whole bucket is watched by passing none.
    const filters = Object.keys(filter).length > 0 ? [filter] : [];
    const bucket = this.bucket(watch.name);
    for (const event of events) bucket.addEventNotification(event, destination, ...filters);
    this.acknowledgeNotificationsHandler();
  }

  private notificationTopic(queue: IQueue): Topic {
    // Not KMS-encrypted: CloudWatch alarm actions cannot publish to a topic under the AWS-managed SNS key, and a
    // customer-managed key per team is not worth its cost for alarm names and states. Transit is TLS-only, and
    // messages rest encrypted (SSE-SQS) in the queue.
    const topic = new Topic(this, 'Notifications', {
      displayName: `${Stack.of(this).stackName} notifications`,
      enforceSSL: true,
    });
    // Any alarm of this account: the team points its own alarms here.
    allowAlarmsToPublish(topic, '*');
    // CodeStar notification rules (Developer Tools → Notifications) of this account's build projects and pipelines.
    // The statement AWS documents for a notification rule's target topic, "Configure Amazon SNS topics for
    // notifications" (https://docs.aws.amazon.com/dtconsole/latest/userguide/set-up-sns.html): without it, the rule's
    // target shows as unreachable and nothing arrives.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CodeStarNotificationsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('codestar-notifications.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    // The SNS envelope is kept (no raw delivery): deliver recognises the notification by it and de-duplicates on
    // its MessageId.
    topic.addSubscription(new SqsSubscription(queue));
    return topic;
  }

  /**
   * The bucket given for `name` when it is of this stack, else the bucket imported (once) by its name, so that it is
   * never created, replaced or deleted; CDK adds the notification through its custom resource, which keeps the
   * notifications the bucket already has. A bucket of another stack is imported too: its own object would put the
   * notification in its stack, which would then need the queue of this one, while this one needs its name (a cycle).
   */
  private bucket(name: string): IBucket {
    const given = this.props.bucketOf?.(name);
    if (given && Stack.of(given) === Stack.of(this)) return given;
    const id = `Bucket-${name}`;
    return (
      (this.node.tryFindChild(id) as IBucket | undefined) ??
      Bucket.fromBucketName(this, id, given?.bucketName ?? name)
    );
  }

  /** The stack-wide singleton function behind the S3 notification custom resource, created by CDK, not by us. */
  private acknowledgeNotificationsHandler(): void {
    const handler = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (!handler || this.notificationsHandlerAcknowledged) return;
    this.notificationsHandlerAcknowledged = true;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "The function is CDK's own custom resource handler for S3 notifications, with the role CDK gives it; it runs " +
        'only during deployments, and its S3 permissions are limited to the watched buckets.',
    });
  }

  /** Creates the EventBridge rules `events` asks for; each kind of rule once. */
  addEventRules(events: AwsEvents): void {
    const target = new SqsQueue(this.props.queue);
    const ownAlarmPrefix = this.props.ownAlarmPrefix;
    const rule = (id: string, description: string, eventPattern: EventPattern) =>
      new Rule(this, id, { description, eventPattern, targets: [target] });

    if (events.alarmStateChanges) {
      const prefixes = events.alarmStateChanges.alarmNamePrefixes;
      rule('AlarmStateChanges', 'CloudWatch alarm state changes to the Spaces relay', {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: {
          // Without a filter every alarm matches, the relay's own too, which already arrive through their own topic.
          alarmName:
            prefixes.length > 0
              ? prefixes.map((prefix) => ({ prefix }))
              : [{ 'anything-but': { prefix: ownAlarmPrefix } }],
        },
      });
    }
    if (events.codebuild) {
      const projects = events.codebuild.projects;
      rule('CodeBuild', 'CodeBuild build state changes to the Spaces relay', {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        ...(projects.length > 0 && { detail: { 'project-name': projects } }),
      });
    }
    if (events.codepipeline) {
      const pipelines = events.codepipeline.pipelines;
      rule('CodePipeline', 'CodePipeline execution state changes to the Spaces relay', {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        ...(pipelines.length > 0 && { detail: { pipeline: pipelines } }),
      });
    }
  }
}
