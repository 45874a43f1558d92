/**
 * Microsoft Teams incoming webhooks, for senders that speak only Teams: the connector `MessageCard` (title, text,
 * themeColor, sections with facts and images, OpenUri/ViewAction buttons), and the Workflows ("Post to a channel when
 * a webhook request is received") message, an `attachments[]` list of Adaptive Cards (or one bare card).
 */
import * as v from 'valibot';
import { chatMessage, type ChatMessage, type Status } from '../model/message';
import { markdownToText } from '../render/markdown';
import { cutText } from '../runtime/text';
import { CardWriter, statusFromColor, statusFromTitle } from './chat-card';
import { hashedKey, stableJson } from './delivery-key';
import { verifySharedSecret } from './shared-secret';
import { defineSource } from './source';
import { ownEntry } from '../runtime/own-entry';

/** Text a card may leave out, send as `null`, or fill from a template as a number. */
const Text = v.optional(v.nullable(v.pipe(v.union([v.string(), v.number(), v.boolean()]), v.transform(String))));

const FactSchema = v.object({ name: Text, value: Text });

/** A connector button: `OpenUri` with `targets`, or the older `ViewAction` with `target`. */
const ConnectorActionSchema = v.object({
  '@type': v.optional(v.string()),
  name: Text,
  targets: v.optional(v.array(v.object({ os: v.optional(v.string()), uri: v.string() }))),
  target: v.optional(v.array(v.string())),
});

const SectionSchema = v.object({
  title: Text,
  activityTitle: Text,
  activitySubtitle: Text,
  activityText: Text,
  text: Text,
  facts: v.optional(v.nullable(v.array(FactSchema))),
  images: v.optional(v.nullable(v.array(v.object({ image: v.string(), title: Text })))),
  heroImage: v.optional(v.nullable(v.object({ image: v.string(), title: Text }))),
  potentialAction: v.optional(v.nullable(v.array(ConnectorActionSchema))),
});

export const MessageCardSchema = v.object({
  title: Text,
  summary: Text,
  text: Text,
  themeColor: Text,
  sections: v.optional(v.nullable(v.array(SectionSchema))),
  potentialAction: v.optional(v.nullable(v.array(ConnectorActionSchema))),
});
export type MessageCard = v.InferOutput<typeof MessageCardSchema>;

/** An Adaptive Card element; only the members the relay shows are checked, the rest pass (cards carry many more). */
export interface CardElement {
  readonly type: string;
  readonly text?: string | null | undefined;
  readonly color?: string | undefined;
  readonly style?: string | undefined;
  readonly weight?: string | undefined;
  readonly size?: string | undefined;
  readonly url?: string | undefined;
  readonly title?: string | null | undefined;
  readonly items?: readonly CardElement[] | undefined;
  readonly columns?: readonly CardElement[] | undefined;
  readonly facts?: readonly { readonly title?: string | null | undefined; readonly value?: string | null | undefined }[] | undefined;
  readonly images?: readonly CardElement[] | undefined;
  readonly actions?: readonly CardElement[] | undefined;
  readonly inlines?: readonly (string | CardElement)[] | undefined;
  readonly rows?: readonly { readonly cells?: readonly CardElement[] | undefined }[] | undefined;
}

const CardElementSchema: v.GenericSchema<unknown, CardElement> = v.object({
  type: v.string('every card element has a type'),
  text: Text,
  color: v.optional(v.string()),
  style: v.optional(v.string()),
  weight: v.optional(v.string()),
  size: v.optional(v.string()),
  url: v.optional(v.string()),
  title: Text,
  items: v.optional(v.array(v.lazy(() => CardElementSchema))),
  columns: v.optional(v.array(v.lazy(() => CardElementSchema))),
  facts: v.optional(v.array(v.object({ title: Text, value: Text }))),
  images: v.optional(v.array(v.lazy(() => CardElementSchema))),
  actions: v.optional(v.array(v.lazy(() => CardElementSchema))),
  inlines: v.optional(v.array(v.union([v.string(), v.lazy(() => CardElementSchema)]))),
  rows: v.optional(v.array(v.object({ cells: v.optional(v.array(v.lazy(() => CardElementSchema))) }))),
});

export const AdaptiveCardSchema = v.object({
  type: v.literal('AdaptiveCard', 'an Adaptive Card has type "AdaptiveCard"'),
  body: v.optional(v.array(CardElementSchema), []),
  actions: v.optional(v.array(CardElementSchema), []),
});
export type AdaptiveCard = v.InferOutput<typeof AdaptiveCardSchema>;

const AdaptiveAttachmentSchema = v.object({
  contentType: v.literal('application/vnd.microsoft.card.adaptive', 'only Adaptive Cards can be posted'),
  content: AdaptiveCardSchema,
});

/** The Workflows message: the cards in `attachments`, an optional `summary` (Grafana sends its title there). */
export const WorkflowsMessageSchema = v.object({
  summary: Text,
  attachments: v.pipe(v.array(AdaptiveAttachmentSchema), v.minLength(1, 'a Workflows message has at least one card')),
});

const WorkflowsBranch = v.pipe(WorkflowsMessageSchema, v.transform((message) => ({ kind: 'workflows' as const, ...message })));
const BareCardBranch = v.pipe(
  AdaptiveCardSchema,
  v.transform((card) => ({
    kind: 'workflows' as const,
    summary: undefined,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' as const, content: card }],
  })),
);
const MessageCardBranch = v.pipe(
  MessageCardSchema,
  v.check((card) => Boolean(card.title || card.text || card.summary || card.sections?.length), 'a MessageCard needs a title, text, summary or sections'),
  v.transform((card) => ({ kind: 'messageCard' as const, ...card })),
);

/**
 * What Teams webhooks take, told apart by shape before it is checked, so that a refusal names the field of the
 * kind it is: `attachments` is a Workflows message, `type: "AdaptiveCard"` a bare card (some Power Automate flows
 * post it as is), anything else a MessageCard.
 */
export const TeamsSchema = v.lazy((input: unknown) => {
  const shape = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (Object.hasOwn(shape, 'attachments')) return WorkflowsBranch;
  return shape.type === 'AdaptiveCard' ? BareCardBranch : MessageCardBranch;
});
export type Teams = v.InferOutput<typeof TeamsSchema>;

/** Adaptive Card colours and container styles that say how things went. */
const CARD_LOOK: Readonly<Record<string, Status>> = { attention: 'failure', good: 'success' };

/** How many card elements one message walks: a card of thousands (a table of every pod) shows its first ones. */
const MAX_ELEMENTS = 500;

/** The title, the status and the content of one Teams post, before it becomes a message. */
interface Said {
  title?: string;
  look?: Status;
  readonly card: CardWriter;
}

function connectorActions(actions: MessageCard['potentialAction'], said: Said): void {
  for (const action of actions ?? []) {
    const target = action.targets?.find((t) => !t.os || t.os === 'default')?.uri ?? action.targets?.[0]?.uri ?? action.target?.[0];
    if (target) said.card.link(action.name, target);
    // HttpPOST, ActionCard: buttons that post back to the sender, which the relay cannot offer.
    else said.card.drop('action');
  }
}

function messageCard(card: MessageCard): Said {
  const said: Said = { card: new CardWriter(), look: statusFromColor(card.themeColor) };
  const firstActivity = card.sections?.find((s) => s.activityTitle)?.activityTitle;
  said.title = [card.title, card.summary, firstActivity].map((t) => (t ? markdownToText(t) : '')).find(Boolean);
  said.card.markdown(card.text);
  for (const section of card.sections ?? []) {
    said.card.line(section.title, 'b');
    if (!section.activityTitle || markdownToText(section.activityTitle) !== said.title) said.card.line(section.activityTitle, 'b');
    said.card.line(section.activitySubtitle, 'i');
    said.card.markdown(section.activityText);
    said.card.markdown(section.text);
    said.card.facts(section.facts ?? []);
    said.card.image(section.heroImage?.image);
    for (const image of section.images ?? []) said.card.image(image.image);
    connectorActions(section.potentialAction, said);
  }
  connectorActions(card.potentialAction, said);
  return said;
}

/** A TextBlock written as a heading: bold, large, or in the heading style. */
const isHeading = (node: CardElement): boolean =>
  node.weight?.toLowerCase() === 'bolder' || node.style?.toLowerCase() === 'heading' || ['medium', 'large', 'extralarge'].includes(node.size?.toLowerCase() ?? '');

/** Walks a card's elements in order, depth first, as Teams lays them out. */
function element(node: CardElement, said: Said, budget: { left: number }): void {
  if (budget.left <= 0) {
    said.card.drop('card-element');
    return;
  }
  budget.left -= 1;
  said.look ??= ownEntry(CARD_LOOK, (node.color ?? node.style ?? '').toLowerCase());
  const walk = (children: readonly CardElement[] | undefined): void => children?.forEach((child) => element(child, said, budget));
  switch (node.type) {
    case 'TextBlock':
      // A first text set as a heading is the card's title (Grafana's, Jenkins'): it heads the message instead.
      if (!said.title && node.text && isHeading(node)) said.title = markdownToText(node.text);
      else if (node.text && markdownToText(node.text) !== said.title) said.card.markdown(node.text);
      return;
    case 'RichTextBlock':
      said.card.markdown(node.inlines?.map((run) => (typeof run === 'string' ? run : (run.text ?? ''))).join(''));
      return;
    case 'FactSet':
      said.card.facts((node.facts ?? []).map((fact) => ({ name: fact.title, value: fact.value })));
      return;
    case 'Image':
      said.card.image(node.url);
      return;
    case 'ImageSet':
      walk(node.images);
      return;
    case 'Container':
    case 'Column':
      walk(node.items);
      return;
    case 'ColumnSet':
      walk(node.columns);
      return;
    case 'Table':
      for (const row of node.rows ?? []) walk(row.cells);
      return;
    case 'TableCell':
      walk(node.items);
      return;
    case 'ActionSet':
      walk(node.actions);
      return;
    case 'Action.OpenUrl':
      said.card.link(node.title, node.url);
      return;
    default:
      // Inputs, media, buttons that submit or toggle: nothing a chat message can hold.
      said.card.drop(node.type.startsWith('Action.') ? 'action' : 'card-element');
  }
}

function workflows(message: Extract<Teams, { kind: 'workflows' }>): Said {
  const said: Said = { card: new CardWriter(), title: message.summary ? markdownToText(message.summary) : undefined };
  const budget = { left: MAX_ELEMENTS };
  for (const { content } of message.attachments) {
    for (const node of [...content.body, ...content.actions]) element(node, said, budget);
  }
  return said;
}

function toMessage(payload: Teams): ChatMessage {
  const said = payload.kind === 'messageCard' ? messageCard(payload) : workflows(payload);
  const title = cutText(said.title || 'Microsoft Teams message', 300);
  said.card.report('teams');
  return chatMessage({
    source: 'teams',
    status: statusFromTitle(title) ?? said.look ?? 'info',
    title,
    markup: said.card.blocks,
    links: [...said.card.links, ...said.card.imageLinks()],
    attachments: said.card.attachments(),
  });
}

export const teams = defineSource<Teams>({
  name: 'teams',
  schema: TeamsSchema,
  // Its senders are given a URL and nothing else: the secret rides in the path, and answers are Teams's.
  webhook: { contentTypes: ['application/json'], answers: 'teams', secretInPath: true, verifyHeaders: verifySharedSecret },
  // Teams senders send no delivery id: the same body again within the window is the same notification retried.
  deliveryKey: (payload) => hashedKey('teams', [stableJson(payload)]),
  toMessages: (payload) => [toMessage(payload)],
});
