/**
 * The `ChatMessage` model: what every source produces and what the renderer and the deliverer consume.
 * It is also the body of a queued notification, so its schema is checked again when deliver reads the queue.
 */
import * as v from 'valibot';
import { FactsSchema } from './facts';

/**
 * What happened, in one word. The renderer gives each its own mark and label, so a reader can tell them apart at a glance.
 */
export const STATUSES = [
  'firing',
  'resolved',
  'success',
  'failure',
  'cancelled',
  'timed_out',
  'skipped',
  'neutral',
  'action_required',
  'insufficient_data',
  'started',
  'info',
] as const;

export const StatusSchema = v.picklist(STATUSES);
export type Status = v.InferOutput<typeof StatusSchema>;

/**
 * The sender's own word for what happened, as it sent it (CodePipeline `SUPERSEDED`, Jenkins `UNSTABLE`, GitHub
 * `stale`), set where it says more than the common status's word: the status gives the mark a reader scans for, the
 * sender's word keeps what the mapping folded away. Shown next to the status, in the message and in digest lines.
 */
export const SenderStatusSchema = v.string();

export const FieldSchema = v.object({ name: v.string(), value: v.string() });
export type Field = v.InferOutput<typeof FieldSchema>;

export const LinkSchema = v.object({ label: v.string(), url: v.pipe(v.string(), v.url()) });
export type Link = v.InferOutput<typeof LinkSchema>;

/**
 * A file to attach, opened as a stream only when delivered.
 * - `url`: an allow-listed URL; `accept` is the media type prefix the file must have (a Grafana panel screenshot must
 *   be an image, not the HTML of a login page).
 * - `s3`: an object of an allowed bucket, with its key already decoded; `size` is what the event said, a hint only
 *   (the object is measured again when it is opened); `etag` pins it to the content the event announced.
 */
export const AttachmentSchema = v.variant('kind', [
  v.object({
    kind: v.literal('url'),
    url: v.pipe(v.string(), v.url()),
    name: v.optional(v.string()),
    accept: v.optional(v.string()),
  }),
  v.object({
    kind: v.literal('s3'),
    bucket: v.pipe(v.string(), v.nonEmpty()),
    key: v.pipe(v.string(), v.nonEmpty()),
    versionId: v.optional(v.string()),
    size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    /** The ETag the event reported: the object is attached only if it is still that one (not overwritten since). */
    etag: v.optional(v.string()),
    name: v.optional(v.string()),
  }),
]);
export type Attachment = v.InferOutput<typeof AttachmentSchema>;

/** One entry of a group (an alert of an Alertmanager group, a failed job of a pipeline): it has a status of its own. */
export const ItemSchema = v.object({
  status: StatusSchema,
  senderStatus: v.optional(SenderStatusSchema),
  title: v.string(),
  summary: v.optional(v.string()),
  fields: v.array(FieldSchema),
  links: v.array(LinkSchema),
  /**
   * Cut by the relay to what one line shows (status, title, first field), to keep a huge group within its posts:
   * rendered as a line of the summary part, never in full.
   */
  brief: v.optional(v.literal(true)),
});
export type Item = v.InferOutput<typeof ItemSchema>;

/** How many entries of a group had one status. */
export const StatusCountSchema = v.object({ status: StatusSchema, count: v.pipe(v.number(), v.integer(), v.minValue(1)) });
export type StatusCount = v.InferOutput<typeof StatusCountSchema>;

export const ChatMessageSchema = v.object({
  source: v.string(),
  status: StatusSchema,
  senderStatus: v.optional(SenderStatusSchema),
  title: v.string(),
  severity: v.optional(v.string()),
  summary: v.optional(v.string()),
  /**
   * Formatted text the relay itself converted from the sender's markup (Slack mrkdwn, Discord or Teams markdown, cards):
   * blocks of HTML, each complete in itself (balanced tags) with every character that came from the payload escaped.
   * Shown after the summary; split between parts only at block boundaries.
   */
  markup: v.optional(v.array(v.string())),
  fields: v.array(FieldSchema),
  links: v.array(LinkSchema),
  items: v.array(ItemSchema),
  /** Entries the sender or the relay left out (Alertmanager `truncatedAlerts`, a split that was capped). */
  omitted: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** What the relay says of the message itself (a team's template that failed), in italics at its end. */
  notes: v.optional(v.array(v.string())),
  /** Of the `omitted` entries, how many had each status, where the relay knows: those it left out itself. */
  omittedByStatus: v.optional(v.array(StatusCountSchema)),
  attachments: v.array(AttachmentSchema),
  /** Stable identity of what this message is about (alert group, alarm ARN), so a later resolve can find it. */
  groupKey: v.optional(v.string()),
  /** Channel named by the sender's route; the default channel when absent. */
  channel: v.optional(v.string()),
  /** What the team's routes and mentions match on (`facts.ts`); never shown. */
  facts: v.optional(FactsSchema),
});
export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;

/** Builds a message with empty lists filled in, so sources only spell out what they know. */
export function chatMessage(
  message: Pick<ChatMessage, 'source' | 'status' | 'title'> & Partial<ChatMessage>,
): ChatMessage {
  return { fields: [], links: [], items: [], attachments: [], ...message };
}

/** `url` parsed, if it is an absolute http(s) URL: the only kind the relay links or fetches. */
function httpUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The target a link may have: only absolute http(s) URLs become links; anything else (javascript:, data:) is
 * dropped. A user and password in one are left out: the chat would show them to everyone in the space.
 */
export function href(url: string): string | undefined {
  const parsed = httpUrl(url);
  if (!parsed) return undefined;
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/**
 * A link if the sender gave a usable absolute http(s) URL; senders often send `""` for "none". The URL is kept as sent,
 * credentials included: a file fetched from it is then refused with a note rather than fetched without them, and
 * the link is shown without them (`href`).
 */
export function linkIf(label: string, url: string | undefined | null): Link[] {
  const parsed = url ? httpUrl(url) : undefined;
  return parsed ? [{ label, url: parsed.href }] : [];
}
