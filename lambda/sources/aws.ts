/**
 * What the AWS event sources (`codebuild`, `codepipeline`, `cloudwatch`) share: ARNs, console links, and the second
 * form a service event can arrive in. Not a source itself.
 */
import { isEventBridge } from '../envelopes/eventbridge';
import type { Field } from '../model/message';
import { hashedKey, stableJson } from './delivery-key';

/** The parts of `arn:partition:service:region:account:resource`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the account, colons included (`build/my-project:8745a7a9-…`, `alarm:High CPU`). */
  readonly resource: string;
}

/** Splits an ARN; undefined for anything that is not one. */
export function parseArn(arn: string | undefined): Arn | undefined {
  const parts = (arn ?? '').split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = '', ...resource] = parts;
  return { partition, service, region, account, resource: resource.join(':') };
}

/** A region code (`us-east-1`, `cn-north-1`, `us-gov-west-1`): it becomes part of a host name, so nothing else is taken. */
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Regions outside the commercial partition have consoles of their own. */
function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return `${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `${region}.console.amazonaws-us-gov.com`;
  return `${region}.console.aws.amazon.com`;
}

/**
 * A link into the AWS console: `https://<region>.console.aws.amazon.com/<path>?region=<region>[#<fragment>]`, in the
 * region's partition. `path` and `fragment` must already be encoded. Undefined when `region` is not a region code
 * (older SNS alarm messages only name it, "APAC - Tokyo"): a guessed link would lead nowhere.
 */
export function consoleUrl(region: string | undefined, path: string, fragment?: string): string | undefined {
  if (!region || !REGION_CODE.test(region)) return undefined;
  return `https://${consoleHost(region)}/${path}?region=${region}${fragment === undefined ? '' : `#${fragment}`}`;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * CodeStar Notifications (the notification rules of CodeBuild and CodePipeline, published to an SNS topic) carry the
 * EventBridge event in a "processed" form: `detailType` instead of `detail-type`, and no `id`. This turns it into its
 * EventBridge twin, with an id made from the whole notification (an SNS redelivery repeats it byte for byte), so that
 * sources read one shape and keep one delivery-key rule. Anything else is returned as it is.
 */
export function asEventBridge(event: unknown): unknown {
  if (!isRecord(event) || 'detail-type' in event || typeof event.detailType !== 'string') return event;
  const { detailType, ...rest } = event;
  return { version: '0', id: hashedKey('notification', [stableJson(event)]), ...rest, 'detail-type': detailType };
}

/** Whether `event` is an AWS service event of `source` with one of `detailTypes`, in either form. */
export function isAwsEvent(event: unknown, source: string, detailTypes: readonly string[]): boolean {
  return isEventBridge(asEventBridge(event), source, detailTypes);
}

/** Where it happened, for teams that run several accounts and regions: `123456789012 · us-east-1`. */
export function accountField(account: string | undefined, region: string | undefined): Field[] {
  const value = [account, region].filter(Boolean).join(' · ');
  return value ? [{ name: 'Account', value }] : [];
}
