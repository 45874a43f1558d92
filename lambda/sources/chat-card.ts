/**
 * What the chat-webhook sources (Microsoft Teams cards, Discord embeds) share: a card's text made into the relay's
 * own markup, its look read as a status, its images as attachments, and a tally of what could not be shown.
 */
import { linkIf, type Attachment, type Link, type Status } from '../model/message';
import { anchor } from '../render/body-text';
import { inline, markdownToHtml, markdownToText, type DroppedMarkdown } from '../render/markdown';
import { cutText } from '../runtime/text';
import { reportUnshown } from './unshown';

/**
 * The longest text of one card value the relay converts. A message shows at most 4 parts of 15 KB; text past this
 * could never be shown, so it is cut (and marked `…`) before any work is spent on it.
 */
const MAX_CARD_TEXT = 8_000;
/** The most images one message attaches; more would crowd out the text, and each costs an upload. */
const MAX_CARD_IMAGES = 4;

/** What a card can hold that the relay leaves out, counted in the `unshown` metric. */
export type DroppedPart = DroppedMarkdown | 'card-element' | 'action' | 'image';

/**
 * The relay's own HTML for one card, built in the card's order: blocks (see `ChatMessage.markup`), links and images,
 * with what was left out tallied. `report` counts the tally once the message is made.
 */
export class CardWriter {
  readonly blocks: string[] = [];
  readonly links: Link[] = [];
  private readonly images: string[] = [];
  private readonly dropped = new Map<DroppedPart, number>();
  private readonly onDrop = (what: DroppedPart): void => {
    this.dropped.set(what, (this.dropped.get(what) ?? 0) + 1);
  };

  /** Markdown text as blocks (paragraphs, lists, quotes, code). */
  markdown(value: string | null | undefined): void {
    if (value) this.blocks.push(...markdownToHtml(cutText(value, MAX_CARD_TEXT), { onDrop: this.onDrop }));
  }

  /** Markdown as one paragraph in a style of its own (`b` for a heading, `i` for a byline or a footer). */
  line(value: string | null | undefined, tag: 'b' | 'i', url?: string | null): void {
    const html = value ? this.inline(value) : '';
    if (!html) return;
    const linked = url ? anchor(html, url) : undefined;
    if (url && !linked) this.onDrop('unsafe-link');
    this.blocks.push(`<p><${tag}>${linked ?? html}</${tag}></p>`);
  }

  /** Name–value pairs (Teams facts, Discord fields), one per line, the values markdown. */
  facts(pairs: readonly { readonly name?: string | null; readonly value?: string | null }[]): void {
    const lines = pairs
      .map(({ name, value }) => [name ? this.inline(name) : '', value ? this.inline(value) : ''] as const)
      .filter(([name, value]) => name || value)
      .map(([name, value]) => (name && value ? `<b>${name}</b>: ${value}` : name ? `<b>${name}</b>` : value));
    if (lines.length > 0) this.blocks.push(`<p>${lines.join('<br>')}</p>`);
  }

  /** A link the card offers (a button, a title's target); a target that is not http(s) is left out and counted. */
  link(label: string | null | undefined, url: string | null | undefined): void {
    const [link] = linkIf(markdownToText(cutText(label ?? '', 300)) || 'Link', url);
    if (link) this.links.push(link);
    else if (url) this.onDrop('unsafe-link');
  }

  /** An image of the card, attached when its host is allowed (else linked, as every URL attachment). */
  image(url: string | null | undefined): void {
    if (!url) return;
    if (this.images.length >= MAX_CARD_IMAGES || linkIf('Image', url).length === 0) this.onDrop('image');
    else if (!this.images.includes(url)) this.images.push(url);
  }

  /** Something the relay cannot show: an input field, a media player, a button that posts back. */
  drop(what: DroppedPart): void {
    this.onDrop(what);
  }

  /** The images as attachments that must be images (not the HTML of a login page). */
  attachments(): Attachment[] {
    return this.images.map((url) => ({ kind: 'url', url: new URL(url).href, accept: 'image/' }));
  }

  /** Links to the images, so that an image whose host is not allowed is still one click away. */
  imageLinks(): Link[] {
    return this.images.flatMap((url, index) => linkIf(this.images.length > 1 ? `Image ${index + 1}` : 'Image', url));
  }

  /** Counts what was left out of the payload of `source` (see `reportUnshown`). */
  report(source: string): void {
    reportUnshown(source, this.dropped);
  }

  private inline(value: string): string {
    return inline(cutText(value, MAX_CARD_TEXT), { onDrop: this.onDrop });
  }
}

/**
 * The status a title says in words, as Alertmanager and Grafana templates write it (`[FIRING:2] …`, Grafana's
 * `[Alerting] …`, `Prometheus Alert (resolved)`).
 */
export function statusFromTitle(title: string): Status | undefined {
  const word = /\b(firing|alerting|resolved)\b/i.exec(title)?.[1]?.toLowerCase();
  if (word === undefined) return undefined;
  return word === 'resolved' ? 'resolved' : 'firing';
}

/**
 * What a chat colour means, the same for every chat sender: Slack's named colours, and the hue of a hex (`#CC0003`,
 * Teams' `8C1A1A`) or numeric (Discord's) one — red danger, orange and yellow warning, green good. Greys and near
 * greys, and colours too dark to read, say nothing.
 */
export function colourLook(colour: string | number | null | undefined): 'good' | 'warning' | 'danger' | undefined {
  if (colour === null || colour === undefined) return undefined;
  if (typeof colour === 'string') {
    const named = colour.toLowerCase();
    if (named === 'good' || named === 'warning' || named === 'danger') return named;
  }
  const rgb = typeof colour === 'number' ? colour : /^#?([0-9a-f]{6})$/i.test(colour) ? parseInt(colour.replace('#', ''), 16) : undefined;
  if (rgb === undefined || !Number.isInteger(rgb) || rgb < 0 || rgb > 0xffffff) return undefined;
  const [r, g, b] = [(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff].map((c) => c / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max < 0.25 || max - min < 0.25) return undefined;
  const hue = max === r ? (60 * ((g - b) / (max - min)) + 360) % 360 : max === g ? 60 * ((b - r) / (max - min)) + 120 : 60 * ((r - g) / (max - min)) + 240;
  if (hue < 18 || hue >= 330) return 'danger';
  if (hue < 65) return 'warning';
  if (hue >= 75 && hue < 170) return 'good';
  return undefined;
}

/** The verdict a card's colour gives: red a failure, green a success; a warning colour alone is no verdict. */
export function statusFromColor(color: string | number | null | undefined): Status | undefined {
  const look = colourLook(color);
  return look === 'danger' ? 'failure' : look === 'good' ? 'success' : undefined;
}
