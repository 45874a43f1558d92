import { Duration, Stack } from 'aws-cdk-lib';
import { BackoffFunction, SubscriptionProtocol, Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SqsSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowAlarmsToPublish } from '../alarm-publish';
import type { AlarmSubscriptions } from '../team-config';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Only alarms whose name starts with this may publish: the relay's own. */
  readonly alarmNamePrefix: string;
  /** The delivery queue: the alarms are posted to the team's space too, as long as delivery works. */
  readonly queue: IQueue;
  /** Who hears of the alarms without the relay: e-mail addresses, HTTPS endpoints, existing topics. */
  readonly subscriptions: AlarmSubscriptions;
  /** The topic object given for an existing topic's ARN, if any. @default each topic is imported by its ARN */
  readonly topicOf?: (arn: string) => ITopic | undefined;
}

/**
 * Where the relay's own alarms go. A topic of their own, not the team's notification topic: its subscribers hear of the
 * relay and nothing else, and its e-mail and HTTPS subscriptions reach them when Spaces, the token or deliver is what
 * fails. It also feeds the delivery queue, so the alarms show in the team's space whenever the relay can still post
 * them. SNS cannot subscribe a topic to another topic, so the team's existing topics are alarm actions of their own
 * ({@link targets}).
 */
export class AlarmTopic extends Construct {
  /** The relay's alarm topic. */
  readonly topic: Topic;
  /** Where each alarm publishes, on alarm and on recovery: {@link topic}, then each existing topic listed. */
  readonly targets: readonly ITopic[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    // Not KMS-encrypted, like the notification topic: CloudWatch alarm actions cannot publish to a topic under the
    // AWS-managed SNS key, and a customer-managed key is not worth its cost for alarm names and states. TLS-only.
    this.topic = new Topic(this, 'Topic', {
      displayName: `${Stack.of(this).stackName} alarms`,
      enforceSSL: true,
    });
    allowAlarmsToPublish(this.topic, `${props.alarmNamePrefix}*`);

    // The SNS envelope is kept, as for the notification topic: deliver recognises the alarm by it.
    this.topic.addSubscription(new SqsSubscription(props.queue));
    for (const email of props.subscriptions.emails) this.topic.addSubscription(new EmailSubscription(email));
    for (const url of props.subscriptions.httpsEndpoints) {
      this.topic.addSubscription(
        new UrlSubscription(url, { protocol: SubscriptionProtocol.HTTPS, deliveryPolicy: ENDPOINT_DELIVERY }),
      );
    }

    const existing = props.subscriptions.topicArns.map(
      (arn, index) => props.topicOf?.(arn) ?? Topic.fromTopicArn(this, `Existing${index}`, arn),
    );
    this.targets = [this.topic, ...existing];
  }
}

/**
 * Retries for an HTTPS endpoint (a paging service, a chat webhook) that is down for a while: SNS's default gives up
 * after three retries 20 s apart, about a minute. Here: 2 retries 20 s apart, 6 backing off exponentially from 20 s to
 * 5 minutes, then 4 more 5 minutes apart: 12 retries over about half an hour, within SNS's limit of an hour in all.
 */
const ENDPOINT_DELIVERY = {
  healthyRetryPolicy: {
    numRetries: 12,
    numMinDelayRetries: 2,
    numMaxDelayRetries: 4,
    minDelayTarget: Duration.seconds(20),
    maxDelayTarget: Duration.minutes(5),
    backoffFunction: BackoffFunction.EXPONENTIAL,
  },
};
