/**
 * Slack incoming webhooks: what a tool that can notify Slack posts (Alertmanager's `slack_configs`, Grafana, Sentry,
 * Argo CD, Uptime Kuma, Flux…), as JSON or as the legacy form body `payload=<json>`. The text is mrkdwn; legacy
 * `attachments` and Block Kit `blocks` are shown as far as a chat post can show them (see `slack-blocks.ts`). What
 * cannot be shown is left out and counted (`unshown`), never refused. Answered as Slack answers (`ok`,
 * `invalid_payload`, `no_text`, `invalid_token`), with the inbound secret as Bearer or as the URL's last segment.
 */
import * as v from 'valibot';
import { chatMessage, href, linkIf, type Attachment, type Status } from '../model/message';
import { mediaType } from '../net/content-type';
import { formatEpochSeconds } from '../render/format';
import { NOTHING_TO_SHOW } from '../ingest/answer-style';
import { anchor } from '../render/body-text';
import { mrkdwnBlocks, mrkdwnInline, plainHtml, plainText } from '../render/mrkdwn';
import { hashedKey, stableJson } from './delivery-key';
import { verifySharedSecret } from './shared-secret';
import { addBlocks, leaveOut, slackContent, type SlackContent } from './slack-blocks';
import { decodeJson, defineSource, type InboundRequest } from './source';
import { reportUnshown } from './unshown';
import { colourLook, statusFromTitle } from './chat-card';

/** Images attached from one message at most: a chat post is no gallery, and each is a fetch and an upload. */
const MAX_IMAGES = 4;

const BlocksSchema = v.array(v.looseObject({ type: v.string() }));
const FieldValue = v.nullish(v.union([v.string(), v.number(), v.boolean()]));

const SlackAttachmentSchema = v.looseObject({
  fallback: v.nullish(v.string()),
  color: v.nullish(v.string()),
  pretext: v.nullish(v.string()),
  author_name: v.nullish(v.string()),
  author_link: v.nullish(v.string()),
  title: v.nullish(v.string()),
  title_link: v.nullish(v.string()),
  text: v.nullish(v.string()),
  fields: v.nullish(v.array(v.looseObject({ title: FieldValue, value: FieldValue, short: v.nullish(v.boolean()) }))),
  image_url: v.nullish(v.string()),
  thumb_url: v.nullish(v.string()),
  footer: v.nullish(v.string()),
  ts: v.nullish(v.union([v.number(), v.string()])),
  actions: v.nullish(v.array(v.looseObject({ text: v.nullish(v.string()), url: v.nullish(v.string()) }))),
  blocks: v.nullish(BlocksSchema),
  mrkdwn_in: v.nullish(v.array(v.string())),
});
type SlackAttachment = v.InferOutput<typeof SlackAttachmentSchema>;

export const SlackSchema = v.pipe(
  v.looseObject({
    text: v.nullish(v.string()),
    blocks: v.nullish(BlocksSchema),
    attachments: v.nullish(v.array(SlackAttachmentSchema)),
    username: v.nullish(v.string()),
    /** `false`: the text is shown as written, not as mrkdwn. */
    mrkdwn: v.nullish(v.boolean()),
  }),
  // Slack's own refusal when there is nothing to post: the answer style says `no_text`.
  v.forward(
    v.check((payload) => !!payload.text?.trim() || (payload.blocks?.length ?? 0) > 0 || (payload.attachments?.length ?? 0) > 0, NOTHING_TO_SHOW),
    ['text'],
  ),
);
export type Slack = v.InferOutput<typeof SlackSchema>;

/** The legacy form body `payload=<json>`; any other form body is taken as JSON, as Slack takes `curl -d '{…}'`. */
function decode(request: InboundRequest): unknown {
  if (mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(request.body.toString('utf8')).get('payload');
    if (payload !== null) return decodeJson({ ...request, body: Buffer.from(payload) });
  }
  return decodeJson(request);
}

/** How `POST /hooks` tells a Slack payload: blocks or attachments, or the fields only Slack's senders set. */
const SlackShape = v.union([
  v.object({ blocks: v.array(v.unknown()) }),
  v.object({ attachments: v.array(v.unknown()) }),
  v.object({ text: v.string(), icon_emoji: v.string() }),
  v.object({ text: v.string(), icon_url: v.string() }),
]);

/** The status a message shows: its attachments' colour, made precise by the words of its title. */
function statusOf(colour: string | null | undefined, title: string): { status: Status; severity?: string } {
  const look = colourLook(colour);
  const said = statusFromTitle(title);
  if (said === 'resolved' && look !== 'danger') return { status: 'resolved' };
  if (said === 'firing') return look === 'warning' ? { status: 'firing', severity: 'warning' } : { status: 'firing' };
  if (look === 'good') return { status: 'success' };
  if (look === 'danger') return { status: 'failure' };
  if (look === 'warning') return { status: 'info', severity: 'warning' };
  return { status: 'info' };
}

/** Whether Slack formats `field` of `attachment`: those its `mrkdwn_in` names, or every one when it names none. */
const formatted = (attachment: SlackAttachment, field: string): boolean => !attachment.mrkdwn_in || attachment.mrkdwn_in.includes(field);

/** Text of an attachment as blocks: mrkdwn where Slack formats it, else as written. */
function attachmentBlocks(attachment: SlackAttachment, field: 'pretext' | 'text', text: string): string[] {
  return formatted(attachment, field) ? mrkdwnBlocks(text) : [`<p>${plainHtml(text).replace(/\n/g, '<br>')}</p>`];
}


/** Short fields side by side (two to a line, as Slack shows them), long ones on a line of their own. */
function fieldLines(attachment: SlackAttachment): string[] {
  const lines: string[] = [];
  let pair: string[] = [];
  for (const field of attachment.fields ?? []) {
    const name = field.title == null ? '' : `<b>${plainHtml(String(field.title))}</b>: `;
    const raw = field.value == null ? '' : String(field.value);
    const value = formatted(attachment, 'fields') ? mrkdwnInline(raw) : plainHtml(raw);
    if (!name && !value) continue;
    if (field.short) {
      pair.push(name + value);
      if (pair.length === 2) lines.push(pair.splice(0).join(' · '));
    } else {
      if (pair.length > 0) lines.push(pair.splice(0).join(' · '));
      lines.push(name + value);
    }
  }
  if (pair.length > 0) lines.push(pair.join(' · '));
  return lines;
}

/** A legacy attachment, top to bottom as Slack shows it. */
function addAttachment(attachment: SlackAttachment, content: SlackContent, titled: boolean): void {
  if (attachment.pretext) content.markup.push(...attachmentBlocks(attachment, 'pretext', attachment.pretext));
  if (attachment.author_name) content.markup.push(`<p><b>${anchor(plainHtml(attachment.author_name), attachment.author_link) ?? plainHtml(attachment.author_name)}</b></p>`);
  // The message's own title already shows this one's words; where they lead is a link under it.
  if (titled) content.links.unshift(...linkIf('Details', attachment.title_link));
  else if (attachment.title) content.markup.push(`<p><b>${anchor(plainHtml(attachment.title), attachment.title_link) ?? plainHtml(attachment.title)}</b></p>`);
  if (attachment.text) content.markup.push(...attachmentBlocks(attachment, 'text', attachment.text));
  const fields = fieldLines(attachment);
  if (fields.length > 0) content.markup.push(`<p>${fields.join('<br>')}</p>`);
  if (attachment.blocks) addBlocks(attachment.blocks, content);
  for (const action of attachment.actions ?? []) {
    const link = linkIf(plainText(action.text ?? 'Open'), action.url);
    if (link.length > 0) content.links.push(...link);
    else leaveOut(content, 'element');
  }
  for (const url of [attachment.image_url, attachment.thumb_url]) {
    if (!url) continue;
    if (href(url)) content.images.push(url);
    else leaveOut(content, 'image');
  }
  const when = attachment.ts == null ? undefined : formatEpochSeconds(Number(attachment.ts));
  const footer = [attachment.footer ? plainHtml(attachment.footer) : undefined, when].filter(Boolean);
  if (footer.length > 0) content.markup.push(`<p><i>${footer.join(' · ')}</i></p>`);
}

/** The first header block's words, if the blocks have one. */
function headerText(blocks: readonly { readonly type: string }[] | null | undefined): string | undefined {
  const header = blocks?.find((block) => block.type === 'header') as { text?: { text?: unknown } } | undefined;
  return typeof header?.text?.text === 'string' ? header.text.text : undefined;
}

export const slack = defineSource<Slack>({
  name: 'slack',
  schema: SlackSchema,
  webhook: {
    contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
    answers: 'slack',
    secretInPath: true,
    verifyHeaders: verifySharedSecret,
    decode,
    detect: (_request, body) => v.is(SlackShape, body),
  },
  // Slack's senders send no id: the same body again is the same notification (a retry within the window).
  deliveryKey: (payload, request) => hashedKey('slack', [request ? request.body.toString('utf8') : stableJson(payload)]),
  toMessages: (payload) => {
    const content = slackContent();
    const attachments = payload.attachments ?? [];
    const header = headerText(payload.blocks);
    const attachmentTitle = attachments.find((a) => a.title)?.title ?? undefined;
    const nestedHeader = attachments.map((a) => headerText(a.blocks)).find((text) => text !== undefined);
    const title = plainText(header ?? attachmentTitle ?? nestedHeader ?? payload.username ?? 'Slack message');
    // With blocks, Slack shows them and keeps the text for notifications only.
    if (payload.blocks && payload.blocks.length > 0) addBlocks(header ? withoutFirstHeader(payload.blocks) : payload.blocks, content);
    else if (payload.text) content.markup.push(...(payload.mrkdwn === false ? [`<p>${plainHtml(payload.text).replace(/\n/g, '<br>')}</p>`] : mrkdwnBlocks(payload.text)));
    for (const attachment of attachments) addAttachment(attachment, content, header === undefined && attachment.title === attachmentTitle);
    if (content.images.length > MAX_IMAGES) leaveOut(content, 'image', content.images.length - MAX_IMAGES);
    reportUnshown('slack', content.unshown);
    const files: Attachment[] = [...new Set(content.images)].slice(0, MAX_IMAGES).map((url) => ({ kind: 'url', url, accept: 'image/' }));
    const colour = attachments.find((a) => a.color)?.color;
    return [
      chatMessage({
        source: 'slack',
        ...statusOf(colour, title),
        title,
        markup: content.markup,
        links: content.links,
        attachments: files,
      }),
    ];
  },
});

/** The blocks without the header that became the title. */
function withoutFirstHeader(blocks: readonly { readonly type: string }[]): { readonly type: string }[] {
  const index = blocks.findIndex((block) => block.type === 'header');
  return [...blocks.slice(0, index), ...blocks.slice(index + 1)];
}
