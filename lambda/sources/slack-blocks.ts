/**
 * Slack's Block Kit (the `blocks` of a message or of a legacy attachment) as the relay's markup: header, section
 * (text, fields, an image or URL-button accessory), context, divider, image, actions (URL buttons become links) and
 * rich_text. Each block and element is checked with its own schema; one that is malformed or that a chat post cannot
 * show (inputs, selects, calls) is left out and counted, never an error: the rest of the message still says enough.
 */
import * as v from 'valibot';
import { href, linkIf, type Link } from '../model/message';
import { anchor } from '../render/body-text';
import { formatEpochSeconds } from '../render/format';
import { emojiFor } from '../render/emoji';
import { mrkdwnBlocks, mrkdwnInline, plainHtml, plainText } from '../render/mrkdwn';
import { ownEntry } from '../runtime/own-entry';

/** What a payload's blocks and attachments become, and what of them could not be shown. */
export interface SlackContent {
  /** HTML blocks (see `ChatMessage.markup`). */
  readonly markup: string[];
  /** URL buttons. */
  readonly links: Link[];
  /** http(s) URLs of images to attach. */
  readonly images: string[];
  /** What was left out, by kind: `block`, `element`, `image`. */
  readonly unshown: Map<string, number>;
}

/** An empty `SlackContent` to add to. */
export function slackContent(): SlackContent {
  return { markup: [], links: [], images: [], unshown: new Map() };
}

/** Counts something left out (`n` of them). */
export function leaveOut(content: SlackContent, kind: string, n = 1): void {
  content.unshown.set(kind, (content.unshown.get(kind) ?? 0) + n);
}

/** Slack's text object: `plain_text` (shortcodes as emoji unless `emoji: false`) or `mrkdwn`. */
const TextObjectSchema = v.looseObject({
  type: v.picklist(['plain_text', 'mrkdwn']),
  text: v.string(),
  emoji: v.nullish(v.boolean()),
});
type TextObject = v.InferOutput<typeof TextObjectSchema>;

/** A text object as inline HTML. */
function textObjectInline(object: TextObject): string {
  return object.type === 'mrkdwn' ? mrkdwnInline(object.text) : plainHtml(object.text, object.emoji !== false).replace(/\n/g, '<br>');
}

/** A text object as blocks. */
function textObjectBlocks(object: TextObject): string[] {
  return object.type === 'mrkdwn' ? mrkdwnBlocks(object.text) : [`<p>${textObjectInline(object)}</p>`];
}

const ImageElementSchema = v.looseObject({ type: v.literal('image'), image_url: v.string(), alt_text: v.nullish(v.string()) });
const ButtonSchema = v.looseObject({ type: v.literal('button'), text: TextObjectSchema, url: v.string() });

const HeaderSchema = v.looseObject({ type: v.literal('header'), text: TextObjectSchema });
const SectionSchema = v.looseObject({
  type: v.literal('section'),
  text: v.nullish(TextObjectSchema),
  fields: v.nullish(v.array(TextObjectSchema)),
  accessory: v.nullish(v.looseObject({ type: v.string() })),
});
const ContextSchema = v.looseObject({ type: v.literal('context'), elements: v.array(v.looseObject({ type: v.string() })) });
const ImageBlockSchema = v.looseObject({
  type: v.literal('image'),
  image_url: v.string(),
  title: v.nullish(TextObjectSchema),
  alt_text: v.nullish(v.string()),
});
const ActionsSchema = v.looseObject({ type: v.literal('actions'), elements: v.array(v.looseObject({ type: v.string() })) });

const TextStyleSchema = v.nullish(
  v.looseObject({ bold: v.nullish(v.boolean()), italic: v.nullish(v.boolean()), strike: v.nullish(v.boolean()), code: v.nullish(v.boolean()) }),
);
const RichInlineSchema = v.variant('type', [
  v.looseObject({ type: v.literal('text'), text: v.string(), style: TextStyleSchema }),
  v.looseObject({ type: v.literal('link'), url: v.string(), text: v.nullish(v.string()), style: TextStyleSchema }),
  v.looseObject({ type: v.literal('emoji'), name: v.string(), unicode: v.nullish(v.string()) }),
  v.looseObject({ type: v.literal('user'), user_id: v.string() }),
  v.looseObject({ type: v.literal('usergroup'), usergroup_id: v.string() }),
  v.looseObject({ type: v.literal('channel'), channel_id: v.string() }),
  v.looseObject({ type: v.literal('broadcast'), range: v.string() }),
  v.looseObject({ type: v.literal('date'), timestamp: v.number(), fallback: v.nullish(v.string()) }),
  v.looseObject({ type: v.literal('color'), value: v.string() }),
]);
type RichInline = v.InferOutput<typeof RichInlineSchema>;
const RichElementsSchema = v.array(v.unknown());
const RichSectionSchema = v.looseObject({ type: v.string(), elements: RichElementsSchema });
const RichListSchema = v.looseObject({
  type: v.literal('rich_text_list'),
  style: v.nullish(v.string()),
  elements: v.array(RichSectionSchema),
});
const RichTextSchema = v.looseObject({ type: v.literal('rich_text'), elements: v.array(v.looseObject({ type: v.string() })) });

/** Wraps `html` in the tags of a rich-text style. */
function styled(html: string, style: v.InferOutput<typeof TextStyleSchema>): string {
  if (!style) return html;
  let out = html;
  if (style.code) out = `<code>${out}</code>`;
  if (style.strike) out = `<s>${out}</s>`;
  if (style.italic) out = `<i>${out}</i>`;
  if (style.bold) out = `<b>${out}</b>`;
  return out;
}

/** Code points an emoji is written with: pictographs, and the joiners, selectors, skin tones and tags between them. */
const EMOJI_TEXT = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Emoji_Modifier}|\u200d|\ufe0f|[\u{e0020}-\u{e007f}])+$/u;

/**
 * The character an emoji element stands for: by name, else by its code points when they write an emoji (any other
 * character — markup, a lone surrogate — is a sender's text, not an emoji), else its name as written.
 */
function emojiElement(name: string, unicode: string | null | undefined): string {
  const known = emojiFor(name);
  if (known) return known;
  const points = (unicode ?? '').split('-').map((hex) => (/^[0-9a-f]{1,6}$/i.test(hex) ? Number.parseInt(hex, 16) : NaN));
  const written = points.every((p) => p <= 0x10ffff) ? String.fromCodePoint(...points) : '';
  return unicode && EMOJI_TEXT.test(written) ? written : plainHtml(`:${name}:`, false);
}

/** Rich text's text, literal (no mrkdwn), line breaks kept. */
const literal = (text: string): string => plainHtml(text, false).replace(/\n/g, '<br>');

function richInline(element: RichInline): string {
  switch (element.type) {
    case 'text':
      return styled(literal(element.text), element.style);
    case 'link': {
      const label = literal(element.text || element.url);
      return styled(anchor(label, element.url) ?? label, element.style);
    }
    case 'emoji':
      return emojiElement(element.name, element.unicode);
    case 'user':
      return literal(`@${element.user_id}`);
    case 'usergroup':
      return literal(`@${element.usergroup_id}`);
    case 'channel':
      return literal(`#${element.channel_id}`);
    case 'broadcast':
      return literal(`@${element.range}`);
    case 'date':
      return literal(element.fallback ?? formatEpochSeconds(element.timestamp) ?? String(element.timestamp));
    case 'color':
      return literal(element.value);
  }
}

/** A rich-text section's inline elements as HTML; those no schema knows are left out and counted. */
function richElements(elements: readonly unknown[], content: SlackContent): string {
  let html = '';
  for (const element of elements) {
    const parsed = v.safeParse(RichInlineSchema, element);
    if (parsed.success) html += richInline(parsed.output);
    else leaveOut(content, 'element');
  }
  return html;
}

function richText(block: v.InferOutput<typeof RichTextSchema>, content: SlackContent): void {
  for (const element of block.elements) {
    const list = v.safeParse(RichListSchema, element);
    if (list.success) {
      const tag = list.output.style === 'ordered' ? 'ol' : 'ul';
      const items = list.output.elements.map((item) => `<li>${richElements(item.elements, content)}</li>`);
      content.markup.push(`<${tag}>${items.join('')}</${tag}>`);
      continue;
    }
    const section = v.safeParse(RichSectionSchema, element);
    if (!section.success) {
      leaveOut(content, 'element');
      continue;
    }
    const inner = richElements(section.output.elements, content);
    if (section.output.type === 'rich_text_section') content.markup.push(`<p>${inner}</p>`);
    else if (section.output.type === 'rich_text_quote') content.markup.push(`<blockquote>${inner}</blockquote>`);
    // The text of a preformatted block is literal already; its line breaks stay line breaks.
    else if (section.output.type === 'rich_text_preformatted') content.markup.push(`<pre>${inner.replace(/<br>/g, '\n')}</pre>`);
    else leaveOut(content, 'element');
  }
}

/** An image to attach, if its URL is http(s). */
function image(url: string, content: SlackContent): void {
  if (href(url)) content.images.push(url);
  else leaveOut(content, 'image');
}

/** A URL button as a link; any other interactive element is left out. */
function button(element: unknown, content: SlackContent): void {
  const parsed = v.safeParse(ButtonSchema, element);
  const link = parsed.success ? linkIf(plainText(parsed.output.text.text), parsed.output.url) : [];
  if (link.length > 0) content.links.push(...link);
  else leaveOut(content, 'element');
}

/** Each block kind, by its `type`: what it adds to `content`. */
const BLOCKS: Readonly<Record<string, (block: unknown, content: SlackContent) => boolean>> = {
  header: (block, content) => {
    const parsed = v.safeParse(HeaderSchema, block);
    if (parsed.success) content.markup.push(`<p><b>${textObjectInline(parsed.output.text)}</b></p>`);
    return parsed.success;
  },
  section: (block, content) => {
    const parsed = v.safeParse(SectionSchema, block);
    if (!parsed.success) return false;
    const { text, fields, accessory } = parsed.output;
    if (text) content.markup.push(...textObjectBlocks(text));
    if (fields && fields.length > 0) content.markup.push(`<p>${fields.map(textObjectInline).join('<br>')}</p>`);
    const picture = v.safeParse(ImageElementSchema, accessory);
    if (picture.success) image(picture.output.image_url, content);
    else if (accessory) button(accessory, content);
    return true;
  },
  context: (block, content) => {
    const parsed = v.safeParse(ContextSchema, block);
    if (!parsed.success) return false;
    const texts: string[] = [];
    for (const element of parsed.output.elements) {
      const text = v.safeParse(TextObjectSchema, element);
      // Context images are icons beside the words: nothing a reader misses.
      if (text.success) texts.push(textObjectInline(text.output));
      else leaveOut(content, 'element');
    }
    if (texts.length > 0) content.markup.push(`<p><i>${texts.join(' · ')}</i></p>`);
    return true;
  },
  divider: (_block, content) => {
    content.markup.push('<p>──────────</p>');
    return true;
  },
  image: (block, content) => {
    const parsed = v.safeParse(ImageBlockSchema, block);
    if (!parsed.success) return false;
    if (parsed.output.title) content.markup.push(`<p>${textObjectInline(parsed.output.title)}</p>`);
    image(parsed.output.image_url, content);
    return true;
  },
  actions: (block, content) => {
    const parsed = v.safeParse(ActionsSchema, block);
    if (!parsed.success) return false;
    for (const element of parsed.output.elements) button(element, content);
    return true;
  },
  rich_text: (block, content) => {
    const parsed = v.safeParse(RichTextSchema, block);
    if (parsed.success) richText(parsed.output, content);
    return parsed.success;
  },
};

/** Adds `blocks` to `content`: each shown as far as it can be, the rest counted. */
export function addBlocks(blocks: readonly { readonly type: string }[], content: SlackContent): void {
  for (const block of blocks) {
    const show = ownEntry(BLOCKS, block.type);
    if (!show?.(block, content)) leaveOut(content, 'block');
  }
}
