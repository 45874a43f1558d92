/**
 * S3 object events, in every shape the stack can deliver them: an S3 notification (`Records[]`, straight to Lambda,
 * through SQS, or through SNS), an EventBridge `Object Created` / `Object Deleted` event, and the `s3:TestEvent` S3
 * sends when a notification is configured (acknowledged, nothing posted). One message per object, with the object
 * itself attached. No webhook: S3 reaches the relay only through the stack's wiring.
 *
 * Which buckets, which keys and which channel come from the stack's `S3_BUCKETS` (handed over as `settings.buckets`);
 * an object of another bucket or outside the filters is acknowledged without a message and logged.
 */
import * as v from 'valibot';
import { BucketNameSchema, s3ConsoleUrl } from '../model/s3-reference';
import { EventBridgeEntries } from '../envelopes/eventbridge';
import { formatBytes } from '../render/format';
import { logger } from '../runtime/logger';
import { knownFacts } from '../model/facts';
import { chatMessage, type ChatMessage, type Field } from '../model/message';
import { hashedKey } from './delivery-key';
import { defineSource } from './source';

/**
 * A key as S3 notifications carry it: form-encoded, so `+` is a space, `%2B` a plus and non-ASCII characters are
 * UTF-8 percent-escapes ("red flower.jpg" arrives as "red+flower.jpg").
 */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

const EncodedKey = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return decodeS3EventKey(dataset.value);
    } catch {
      addIssue({ message: 'is not a URL-encoded S3 key' });
      return NEVER;
    }
  }),
);

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object';
}

const Size = v.pipe(v.number(), v.integer(), v.minValue(0));

/** One object that changed, whatever shape the event had. `key` is the real key, decoded. */
export interface ObjectChange {
  readonly change: 'created' | 'removed' | 'other';
  /** What S3 called it: `ObjectCreated:Put`, `Object Deleted`, … */
  readonly eventName: string;
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly versionId?: string;
  /** The object's ETag when the event was sent. */
  readonly etag?: string;
  readonly sequencer?: string;
  readonly region?: string;
  readonly time?: string;
  /** Who did it: the IAM principal (notifications) or the requester (EventBridge). */
  readonly actor?: string;
}

function changeOf(eventName: string): ObjectChange['change'] {
  if (eventName.startsWith('ObjectCreated:') || eventName === 'Object Created') return 'created';
  if (eventName.startsWith('ObjectRemoved:') || eventName === 'Object Deleted') return 'removed';
  return 'other';
}

/** S3 event notification (`eventVersion` 2.x): the format of S3 → Lambda, S3 → SQS and S3 → SNS. */
const S3RecordSchema = v.object({
  eventSource: v.literal('aws:s3'),
  awsRegion: v.optional(v.string()),
  eventTime: v.optional(v.string()),
  eventName: v.string(),
  userIdentity: v.optional(v.object({ principalId: v.string() })),
  s3: v.object({
    bucket: v.object({ name: v.string() }),
    object: v.object({
      key: EncodedKey,
      size: v.optional(Size),
      versionId: v.optional(v.nullable(v.string())),
      eTag: v.optional(v.string()),
      sequencer: v.optional(v.string()),
    }),
  }),
});

const S3NotificationSchema = v.pipe(
  v.object({ Records: v.pipe(v.array(S3RecordSchema), v.minLength(1)) }),
  v.transform(({ Records }) => ({
    kind: 'changes' as const,
    changes: Records.map(
      (record): ObjectChange => ({
        change: changeOf(record.eventName),
        eventName: record.eventName,
        bucket: record.s3.bucket.name,
        key: record.s3.object.key,
        size: record.s3.object.size,
        versionId: record.s3.object.versionId ?? undefined,
        etag: record.s3.object.eTag,
        sequencer: record.s3.object.sequencer,
        region: record.awsRegion,
        time: record.eventTime,
        actor: record.userIdentity?.principalId,
      }),
    ),
  })),
);

/** Sent once when a bucket's notification is set up; says nothing about an object. */
const S3TestEventSchema = v.pipe(
  v.object({ Service: v.literal('Amazon S3'), Event: v.literal('s3:TestEvent'), Bucket: v.string(), RequestId: v.optional(v.string()) }),
  v.transform((test) => ({ kind: 'test' as const, bucket: test.Bucket, requestId: test.RequestId ?? '' })),
);

/** S3 → EventBridge. The key here is the key as it is: EventBridge events are not form-encoded. */
const S3EventBridgeSchema = v.pipe(
  v.object({
    ...EventBridgeEntries,
    source: v.literal('aws.s3'),
    detail: v.object({
      bucket: v.object({ name: v.string() }),
      object: v.object({
        key: v.string(),
        size: v.optional(Size),
        'version-id': v.optional(v.string()),
        etag: v.optional(v.string()),
        sequencer: v.optional(v.string()),
      }),
      requester: v.optional(v.string()),
    }),
  }),
  v.transform((event) => ({
    kind: 'changes' as const,
    eventId: event.id,
    changes: [
      {
        change: changeOf(event['detail-type']),
        eventName: event['detail-type'],
        bucket: event.detail.bucket.name,
        key: event.detail.object.key,
        size: event.detail.object.size,
        versionId: event.detail.object['version-id'],
        etag: event.detail.object.etag,
        sequencer: event.detail.object.sequencer,
        region: event.region,
        time: event.time,
        actor: event.detail.requester,
      } satisfies ObjectChange,
    ],
  })),
);

/** The shape is told by a cheap look first, so a bad event is reported against its own schema, field by field. */
export const S3EventSchema = v.lazy((input) => {
  if (isObject(input) && input.source === 'aws.s3') return S3EventBridgeSchema;
  if (isObject(input) && input.Event === 's3:TestEvent') return S3TestEventSchema;
  return S3NotificationSchema;
});
export type S3Event = v.InferOutput<typeof S3EventSchema>;

/** One bucket the stack wired to the relay: which of its objects to post (prefix/suffix of the decoded key), and where. */
export const S3BucketRuleSchema = v.strictObject({
  name: BucketNameSchema,
  prefix: v.optional(v.string()),
  suffix: v.optional(v.string()),
  channel: v.optional(v.pipe(v.string(), v.nonEmpty())),
});
export type S3BucketRule = v.InferOutput<typeof S3BucketRuleSchema>;

/** What a team may turn on (`SOURCE_SETTINGS.s3`), and the bucket rules the stack hands over. */
export const S3SettingsSchema = v.strictObject({
  /** Post deletions too (`ObjectRemoved:*`, EventBridge `Object Deleted`). Off by default: most teams want uploads. */
  objectRemoved: v.optional(v.boolean(), false),
  /** From the stack's `S3_BUCKETS` (the team config's `s3Buckets`); an event of a bucket not listed here is not posted. */
  buckets: v.optional(v.array(S3BucketRuleSchema), []),
});
export type S3Settings = v.InferOutput<typeof S3SettingsSchema>;

/** `AWS:AIDAEXAMPLE` → `AIDAEXAMPLE`: the prefix says nothing to a reader. */
function actorName(actor: string | undefined): string | undefined {
  return actor?.replace(/^AWS:/, '') || undefined;
}

/** The rule that lets this object be posted, or why it is not. */
function ruleFor(change: ObjectChange, settings: S3Settings): S3BucketRule | string {
  const rule = settings.buckets.find((bucket) => bucket.name === change.bucket);
  if (!rule) return 'bucket not in S3_BUCKETS';
  if (rule.prefix && !change.key.startsWith(rule.prefix)) return `key outside prefix ${rule.prefix}`;
  if (rule.suffix && !change.key.endsWith(rule.suffix)) return `key outside suffix ${rule.suffix}`;
  if (change.change === 'other') return `${change.eventName} events are not posted`;
  if (change.change === 'removed' && !settings.objectRemoved) return 'deletions are not posted (settings.objectRemoved)';
  // The console's "Create folder" makes an empty object named `folder/`: not a file anyone wants to hear about.
  if (change.key.endsWith('/')) return 'folder marker';
  return rule;
}

function messageFor(change: ObjectChange, rule: S3BucketRule): ChatMessage {
  const name = change.key.slice(change.key.lastIndexOf('/') + 1);
  const created = change.change === 'created';
  const fields: Field[] = [
    { name: 'Bucket', value: change.bucket },
    { name: 'Key', value: change.key },
  ];
  if (change.size !== undefined) {
    fields.push({ name: 'Size', value: change.size === 0 ? '0 bytes (empty)' : `${formatBytes(change.size)} (${change.size} bytes)` });
  }
  const actor = actorName(change.actor);
  if (actor) fields.push({ name: created ? 'Uploaded by' : 'Deleted by', value: actor });
  if (change.versionId) fields.push({ name: 'Version', value: change.versionId });
  const reference = { bucket: change.bucket, key: change.key, versionId: change.versionId };
  return chatMessage({
    source: 's3',
    status: 'info',
    title: name,
    summary: created ? `New file in ${change.bucket}` : `Deleted from ${change.bucket}`,
    fields,
    links: created ? [{ label: 'Open in the S3 console', url: s3ConsoleUrl(reference, change.region) }] : [],
    attachments: created ? [{ kind: 's3', ...reference, size: change.size, etag: change.etag, name }] : [],
    channel: rule.channel,
    facts: knownFacts({ bucket: change.bucket, key: change.key }),
  });
}

export const s3 = defineSource<S3Event, S3Settings>({
  name: 's3',
  schema: S3EventSchema,
  settings: S3SettingsSchema,
  event: {
    matches: (event) =>
      isObject(event) &&
      ((Array.isArray(event.Records) && isObject(event.Records[0]) && event.Records[0].eventSource === 'aws:s3') ||
        (event.Service === 'Amazon S3' && event.Event === 's3:TestEvent') ||
        (event.source === 'aws.s3' && isObject(event.detail))),
  },
  // S3's sequencer orders the events of one key; EventBridge gives each event an id of its own.
  deliveryKey: (event) => {
    if (event.kind === 'test') return hashedKey('s3', ['test', event.bucket, event.requestId]);
    if ('eventId' in event) return hashedKey('s3', [event.eventId]);
    return hashedKey(
      's3',
      event.changes.flatMap((change) => [change.bucket, change.key, change.sequencer ?? change.versionId ?? change.time ?? '']),
    );
  },
  toMessages: (event, settings) => {
    if (event.kind === 'test') {
      logger.info('S3 test event acknowledged', { bucket: event.bucket });
      return [];
    }
    return event.changes.flatMap((change) => {
      const rule = ruleFor(change, settings);
      if (typeof rule === 'string') {
        logger.info('S3 event not posted', { bucket: change.bucket, eventName: change.eventName, reason: rule });
        return [];
      }
      return [messageFor(change, rule)];
    });
  },
});
