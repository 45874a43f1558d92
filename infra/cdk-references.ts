import { Token } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

/**
 * CDK objects given where a team config holds a name or an ARN: a secret, a bucket, a topic. Each goes into the config
 * as its name or ARN when synth knows it, else as a stand-in of the same shape made from its construct address (a
 * bucket the same app creates has no name before deployment). So the team config schema checks the config as a whole
 * (a bucket watched twice, the inbound secret equal to the token secret), and the relay finds each object again by the
 * value that stands for it.
 */
export class CdkReferences {
  private readonly secrets = new Map<string, ISecret>();
  private readonly buckets = new Map<string, IBucket>();
  private readonly topics = new Map<string, ITopic>();

  /** @param region the stack's region, when synth knows it: a topic's stand-in ARN is in it */
  constructor(private readonly region: string | undefined) {}

  /** The config's value for a secret. */
  secret(ref: ISecret | string): string {
    if (typeof ref === 'string') return ref;
    const value = known(ref.secretName) ?? ref.node.addr;
    this.secrets.set(value, ref);
    return value;
  }

  /** The config's value for a bucket. */
  bucket(ref: IBucket | string): string {
    if (typeof ref === 'string') return ref;
    const value = known(ref.bucketName) ?? ref.node.addr;
    this.buckets.set(value, ref);
    return value;
  }

  /** The config's value for a topic. */
  topic(ref: ITopic | string): string {
    if (typeof ref === 'string') return ref;
    const value = known(ref.topicArn) ?? `arn:aws:sns:${this.region ?? 'us-east-1'}:000000000000:${ref.node.addr}`;
    this.topics.set(value, ref);
    return value;
  }

  /** The secret given for a config value, if one was. */
  secretOf(value: string): ISecret | undefined {
    return this.secrets.get(value);
  }

  /** The bucket given for a config value, if one was. */
  bucketOf(value: string): IBucket | undefined {
    return this.buckets.get(value);
  }

  /** The topic given for a config value, if one was. */
  topicOf(value: string): ITopic | undefined {
    return this.topics.get(value);
  }

  /** A bucket's name as deployed: the config's value, or the name of the bucket given for it (perhaps a token). */
  bucketName(value: string): string {
    return this.buckets.get(value)?.bucketName ?? value;
  }
}

/** A value synth knows, or undefined for one only known at deploy time (a token). */
export const known = (value: string): string | undefined => (Token.isUnresolved(value) ? undefined : value);
