/**
 * Discord incoming webhooks (Execute Webhook), for senders that speak only Discord: `content` in Discord's markdown,
 * up to 10 `embeds` (title, url, description, color, fields, footer, timestamp, image, thumbnail, author), and the
 * `username` the post shows as its sender.
 */
import * as v from 'valibot';
import { NOTHING_TO_SHOW } from '../ingest/answer-style';
import { chatMessage, type ChatMessage } from '../model/message';
import { formatTime } from '../render/format';
import { markdownToText } from '../render/markdown';
import { cutText } from '../runtime/text';
import { CardWriter, statusFromColor, statusFromTitle } from './chat-card';
import { hashedKey, stableJson } from './delivery-key';
import { verifySharedSecret } from './shared-secret';
import { defineSource } from './source';

/** Text a sender may leave out or send as `null` (Alertmanager sends `""` for what it has not). */
const Text = v.optional(v.nullable(v.string()));
/** A media or link URL: any string, checked for http(s) when used (senders send `""` or `attachment://…`). */
const Url = Text;

const EmbedSchema = v.object({
  title: Text,
  url: Url,
  description: Text,
  color: v.optional(v.nullable(v.number('color is a number (0xRRGGBB as an integer)'))),
  timestamp: Text,
  fields: v.optional(v.nullable(v.pipe(v.array(v.object({ name: Text, value: Text })), v.maxLength(25, 'an embed has at most 25 fields')))),
  footer: v.optional(v.nullable(v.object({ text: Text }))),
  image: v.optional(v.nullable(v.object({ url: Url }))),
  thumbnail: v.optional(v.nullable(v.object({ url: Url }))),
  author: v.optional(v.nullable(v.object({ name: Text, url: Url }))),
});
type Embed = v.InferOutput<typeof EmbedSchema>;

export const DiscordSchema = v.pipe(
  v.object({
    content: Text,
    username: Text,
    embeds: v.optional(v.nullable(v.pipe(v.array(EmbedSchema), v.maxLength(10, 'a message has at most 10 embeds')))),
  }),
  // Discord refuses a message with nothing to show; so does the relay, with Discord's own error (see `NOTHING_TO_SHOW`).
  v.forward(v.check((message) => Boolean(message.content?.trim() || message.embeds?.length), NOTHING_TO_SHOW), ['content']),
);
export type Discord = v.InferOutput<typeof DiscordSchema>;

/** An embed's footer line: its text and its time, the way Discord shows them together. */
function footer(embed: Embed): string | undefined {
  const time = embed.timestamp ? formatTime(embed.timestamp) : undefined;
  const parts = [embed.footer?.text ?? '', time ?? ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function writeEmbed(card: CardWriter, embed: Embed, heading: boolean): void {
  card.line(embed.author?.name, 'i', embed.author?.url);
  // The first embed's title heads the whole message; its target stays one click away, as a link.
  if (heading && embed.title) card.line(embed.title, 'b', embed.url);
  else if (embed.url) card.link(embed.title, embed.url);
  card.markdown(embed.description);
  card.facts(embed.fields ?? []);
  card.line(footer(embed), 'i');
  card.image(embed.image?.url);
  card.image(embed.thumbnail?.url);
}

function toMessage(payload: Discord): ChatMessage {
  const embeds = payload.embeds ?? [];
  const card = new CardWriter();
  const [first] = embeds;
  const headline = first?.title ? markdownToText(first.title) : undefined;
  card.markdown(payload.content);
  embeds.forEach((embed, index) => writeEmbed(card, embed, index > 0 || !headline));
  const fallback = payload.content ? markdownToText(payload.content) : undefined;
  const title = cutText(headline || fallback || payload.username || 'Discord message', headline ? 300 : 120);
  card.report('discord');
  return chatMessage({
    source: 'discord',
    status: statusFromTitle(title) ?? embeds.map((embed) => statusFromColor(embed.color)).find(Boolean) ?? 'info',
    title,
    fields: payload.username ? [{ name: 'From', value: payload.username }] : [],
    markup: card.blocks,
    links: [...card.links, ...card.imageLinks()],
    attachments: card.attachments(),
  });
}

export const discord = defineSource<Discord>({
  name: 'discord',
  schema: DiscordSchema,
  // Its senders are given a URL and nothing else: the secret rides in the path, and answers are Discord's.
  webhook: { contentTypes: ['application/json'], answers: 'discord', secretInPath: true, verifyHeaders: verifySharedSecret },
  // Discord senders send no delivery id: the same body again within the window is the same notification retried.
  deliveryKey: (payload) => hashedKey('discord', [stableJson(payload)]),
  toMessages: (payload) => [toMessage(payload)],
});
