/**
 * Team templates (`TEMPLATES`, the team config's `templates`): how a source's messages read — title, summary, fields,
 * item line, link labels — per source and optionally per channel, written in Liquid (LiquidJS: a parser and an
 * interpreter, no `eval` or `new Function` over template text).
 *
 * Applied once a source's messages are routed (`writtenAs`, in ingest and, for AWS events, in deliver), where their
 * payload still exists: a template sees the normalized `message` as it is queued (a long group's items cut to those
 * shown), the `channel` the route chose, and the `payload` as the sender sent it (once its source's schema accepted it). What a
 * template writes is still text: body-text.ts escapes and cuts it like any other. The one markup a template has is
 * the relay's own bold (`{{ value | bold }}`), written as marks (`markup.ts`); every printed value is cleared of those
 * marks, so a payload cannot pass for markup either way.
 *
 * Templates are compiled once, at start-up and at synth, where each is also rendered against real payloads with strict
 * variables. A template that fails at run time (a limit reached, a filter that throws) leaves that part as the source
 * said it, with a one-line warning: the message is never lost.
 */
import { Context, Liquid, type RenderOptions, type Template } from 'liquidjs';
import * as v from 'valibot';
import type { ChatMessage, Field, Item, Link } from '../model/message';
import { toNotification, type QueuedNotification } from '../model/notification';
import type { Problem } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { inWords, problemsOf } from '../runtime/validate';
import { BOLD_END, BOLD_START, withoutMarks } from './markup';

/** The longest template text: the whole environment of a function is 4 KB, and no message part needs more. */
export const MAX_TEMPLATE_CHARS = 2_000;
/** What one template may write; body-text cuts each part far shorter, this only bounds the work. */
const MAX_OUTPUT_CHARS = 8_000;
/** Time all templates of one message may take, in milliseconds; what is left is said the source's way. */
const MESSAGE_BUDGET_MS = 1_000;

const TemplateText = v.pipe(
  v.string(),
  v.maxLength(MAX_TEMPLATE_CHARS, `must be at most ${MAX_TEMPLATE_CHARS} characters`),
);

/** A field of the message's field list: `"*"` for the fields the source gives, or a name and a value, each a template. */
const FieldTemplateSchema = v.union(
  [v.literal('*'), v.strictObject({ name: TemplateText, value: TemplateText })],
  'must be "*" (the fields the source gives) or {"name": template, "value": template}',
);

/** The parts a template may write; each is optional, and a part without one reads as the source says it. */
const PartEntries = {
  /** The name in the headline, after the status and severity. */
  title: v.optional(TemplateText),
  /** The sentence under the headline; empty output: no summary. */
  summary: v.optional(TemplateText),
  /** The field list, in order; a field whose value renders empty is left out. */
  fields: v.optional(v.array(FieldTemplateSchema)),
  /** The bold text of each item's line (an alert of a group), with `item` and `index`. */
  item: v.optional(TemplateText),
  /** The words of each link, with `link`. */
  link: v.optional(TemplateText),
};

const ChannelName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, 'channel names use letters, digits, . _ -'));

/** One source's templates, and per channel what differs from them. */
const SourceTemplatesSchema = v.strictObject({
  ...PartEntries,
  channels: v.optional(v.record(ChannelName, v.strictObject(PartEntries))),
});
type PartTemplates = Omit<v.InferOutput<typeof SourceTemplatesSchema>, 'channels'>;

/**
 * Today's rendering, written as templates: what a message reads like without a team's templates, and the starting
 * point for one. Rendering a message with these leaves it exactly as the source said it.
 */
export const DEFAULT_TEMPLATES: Readonly<Required<PartTemplates>> = {
  title: '{{ message.title }}',
  summary: '{% if message.summary %}{{ message.summary }}{% endif %}',
  fields: ['*'],
  item: '{{ item.title }}',
  link: '{{ link.label }}',
};

/** A printed value as text, cleared of the relay's marks: only a template's own `bold` writes them. */
function printed(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(printed).join('');
  return withoutMarks(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * The engine: strict where it can be (an unknown filter is an error; an unknown variable too when checking against
 * samples, see `FailureHandling`), sandboxed (own properties of plain data only, no file system, no includes),
 * bounded (template size, render time, allocations).
 */
function engine(): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    // Under strict variables, `{% if payload.x %}` and `| default:` are how a template says "if the payload has it".
    lenientIf: true,
    ownPropertyOnly: true,
    // No file system: partials could only come from this empty map, and the tags that read them are refused below.
    templates: {},
    parseLimit: MAX_TEMPLATE_CHARS,
    // Per message (see MessageRendering): every template of one message together.
    renderLimit: MESSAGE_BUDGET_MS,
    memoryLimit: 10_000_000,
    outputEscape: printed,
  });
  // A value is never printed as it is: `raw` is plain text like the rest.
  liquid.registerFilter('raw', (value: unknown) => value);
  // Nothing in bold is nothing: an empty value stays empty, so a field it fills is still left out.
  liquid.registerFilter('bold', {
    handler: (value: unknown) => {
      const text = printed(value);
      return text === '' ? '' : `${BOLD_START}${text}${BOLD_END}`;
    },
    raw: true,
  });
  for (const tag of ['include', 'render', 'layout', 'block']) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available: a template is one text`);
      },
      *render() {},
    });
  }
  return liquid;
}

let shared: Liquid | undefined;
/** The engine, built on first use: a function whose team has no templates never pays for it at a cold start. */
const liquid = (): Liquid => (shared ??= engine());

/**
 * A compiled template and where it was configured (`github.title`, `alertmanager.channels.ops.item`); a text without
 * Liquid markup (a field name, a fixed label) is kept as it is, since rendering it would only cost time.
 */
interface Compiled {
  readonly where: string;
  readonly template: Template[] | string;
}

const LIQUID_MARKUP = /\{[{%]/;
type CompiledField = '*' | { readonly name: Compiled; readonly value: Compiled };
interface CompiledParts {
  readonly title?: Compiled;
  readonly summary?: Compiled;
  readonly fields?: readonly CompiledField[];
  readonly item?: Compiled;
  readonly link?: Compiled;
}

/** A source's compiled templates: its own, and for each channel with templates of its own, those merged over them. */
interface CompiledSource {
  readonly parts: CompiledParts;
  readonly channels: ReadonlyMap<string, CompiledParts>;
}

/** The compiled templates of every source that has some; what `applyTemplates` takes. */
export type CompiledTemplates = ReadonlyMap<string, CompiledSource>;

/** No templates: every message reads as its source says it. */
export const NO_TEMPLATES: CompiledTemplates = new Map();

/** A LiquidJS error as `line L, column C: problem`, without the engine's own position suffix. */
function described(error: unknown): string {
  const e = error as { message?: string; token?: { getPosition?: () => [number, number] } };
  const problem = String(e.message ?? error).replace(/, line:\d+, col:\d+$/, '');
  const position = e.token?.getPosition?.();
  return position ? `line ${position[0]}, column ${position[1]}: ${problem}` : problem;
}

/** Compiles one template, or adds the problem at `where`. */
function compileOne(text: string, where: string, problems: Problem[]): Compiled | undefined {
  try {
    return { where, template: LIQUID_MARKUP.test(text) ? liquid().parse(text) : text };
  } catch (error) {
    problems.push({ field: where, problem: described(error) });
    return undefined;
  }
}

function compileParts(parts: PartTemplates, where: string, problems: Problem[]): CompiledParts {
  const one = (part: 'title' | 'summary' | 'item' | 'link') =>
    parts[part] === undefined ? undefined : compileOne(parts[part], `${where}.${part}`, problems);
  return {
    title: one('title'),
    summary: one('summary'),
    item: one('item'),
    link: one('link'),
    fields: parts.fields?.map((field, index): CompiledField => {
      if (field === '*') return '*';
      const at = `${where}.fields.${index}`;
      return { name: compileOne(field.name, `${at}.name`, problems)!, value: compileOne(field.value, `${at}.value`, problems)! };
    }),
  };
}

/** Only the parts that are set, so that spreading a channel's parts over the source's keeps the source's others. */
const setParts = (parts: CompiledParts): CompiledParts =>
  Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== undefined));

/** The templates, or every problem found, each `field` a dotted path below the templates object (`github.title`). */
export type TemplatesCheck =
  | { readonly ok: true; readonly templates: CompiledTemplates }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Checks and compiles templates (`{"<source>": {...}}`): the shape, each template's syntax (line and column), and the
 * source names, against `sources`. Used by the functions at start-up and by synth.
 */
export function checkTemplates(raw: unknown, sources: readonly string[]): TemplatesCheck {
  const parsed = v.safeParse(v.record(v.string(), v.unknown()), raw, { message: inWords });
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.issues) };
  const problems: Problem[] = [];
  const templates = new Map<string, CompiledSource>();
  for (const [source, value] of Object.entries(parsed.output)) {
    if (!sources.includes(source)) {
      problems.push({ field: source, problem: `is not a source (sources: ${sources.join(', ')})` });
      continue;
    }
    const settings = v.safeParse(SourceTemplatesSchema, value, { message: inWords });
    if (!settings.success) {
      problems.push(...problemsOf(settings.issues).map(({ field, problem }) => ({ field: `${source}.${field}`, problem })));
      continue;
    }
    const { channels = {}, ...own } = settings.output;
    const parts = setParts(compileParts(own, source, problems));
    const byChannel = Object.entries(channels).map(([channel, overrides]) => {
      const merged = { ...parts, ...setParts(compileParts(overrides, `${source}.channels.${channel}`, problems)) };
      return [channel, merged] as const;
    });
    templates.set(source, { parts, channels: new Map(byChannel) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, templates };
}

/** Where a source's message was said: which source, from what payload, for which channel (the route's). */
export interface TemplateContext {
  readonly source: string;
  /** The payload as the sender sent it (decoded), once the source's schema accepted it. */
  readonly payload: unknown;
  /** The channel of the route; a message's own `channel` (an S3 bucket rule's) comes first. */
  readonly channel?: string;
}

/** Told which template failed (`github.title`) and why. */
export type TemplateFailure = (where: string, problem: string) => void;

/** What counts as a failure, and who hears of it. */
export interface FailureHandling {
  /**
   * Whether a variable the data lacks is a failure. At synth, against the samples, it is: that is how a typo or
   * another sender's field is caught. At run time it prints nothing, as in Liquid: a payload may lack what others
   * have, and a lookup that throws costs ten times one that does not.
   */
  readonly strictVariables: boolean;
  readonly onFailure: TemplateFailure;
}

/** At run time: a failing part reads as the source said it, with a one-line warning. */
const AT_RUN_TIME: FailureHandling = {
  strictVariables: false,
  onFailure: (where, problem) => logger.warn('template failed, the part reads as the source says it', { template: where, problem }),
};

/** Every rendered text of a message (and its items) through `map`: the values body-text prints. */
function mapTexts(message: ChatMessage, map: (text: string) => string): ChatMessage {
  const fields = (list: readonly Field[]): Field[] => list.map((f) => ({ name: map(f.name), value: map(f.value) }));
  const links = (list: readonly Link[]): Link[] => list.map((l) => ({ ...l, label: map(l.label) }));
  const optional = (text: string | undefined) => (text === undefined ? undefined : map(text));
  return {
    ...message,
    title: map(message.title),
    severity: optional(message.severity),
    summary: optional(message.summary),
    fields: fields(message.fields),
    links: links(message.links),
    items: message.items.map((item) => ({
      ...item,
      title: map(item.title),
      summary: optional(item.summary),
      fields: fields(item.fields),
      links: links(item.links),
    })),
  };
}

/** A message as its source said it, cleared of marks: a payload's text never passes for the relay's markup. */
function cleared(message: ChatMessage): ChatMessage {
  return mapTexts(message, withoutMarks);
}

/** Renders the templates of one message, each part falling back to the source's own on failure. */
class MessageRendering {
  private readonly deadline = performance.now() + MESSAGE_BUDGET_MS;
  private overBudget = false;
  /** The templates that failed (`github.title`), each once, for the message's note. */
  readonly failed = new Set<string>();
  /**
   * The engine's time and allocation limits, shared by every template of the message: they bound the message as a
   * whole, and each render is spared creating its own (a sixth of a short template's cost).
   */
  private readonly limits: { readonly memoryLimit: Context['memoryLimit']; readonly renderLimit: Context['renderLimit']; readonly liquid: Liquid };
  private readonly options: RenderOptions;

  constructor(
    private readonly scope: Readonly<Record<string, unknown>>,
    private readonly handling: FailureHandling,
  ) {
    this.options = { sync: true, strictVariables: handling.strictVariables, renderLimit: MESSAGE_BUDGET_MS };
    const instance = liquid();
    const { memoryLimit, renderLimit } = new Context({}, instance.options, this.options);
    this.limits = { memoryLimit, renderLimit, liquid: instance };
  }

  /** The template's output, or `fallback` when it fails or the message's time is up. */
  render(compiled: Compiled | undefined, fallback: string, extra?: Readonly<Record<string, unknown>>): string {
    if (!compiled) return fallback;
    if (typeof compiled.template === 'string') return compiled.template;
    if (performance.now() > this.deadline) {
      if (!this.overBudget) this.handling.onFailure(compiled.where, `the message's templates took over ${MESSAGE_BUDGET_MS} ms`);
      this.overBudget = true;
      this.failed.add(compiled.where);
      return fallback;
    }
    try {
      const scope = extra ? { ...this.scope, ...extra } : this.scope;
      const context = new Context(scope, this.limits.liquid.options, this.options, this.limits);
      const output = this.limits.liquid.renderSync(compiled.template, context) as string;
      return output.length > MAX_OUTPUT_CHARS ? output.slice(0, MAX_OUTPUT_CHARS) : output;
    } catch (error) {
      this.handling.onFailure(compiled.where, described(error));
      this.failed.add(compiled.where);
      // A render cut short by the message's time limit has said why: the parts left fall back without a word more.
      this.overBudget = performance.now() > this.deadline;
      return fallback;
    }
  }
}

function renderFields(parts: CompiledParts, message: ChatMessage, rendering: MessageRendering): Field[] {
  if (!parts.fields) return message.fields;
  return parts.fields.flatMap((field) => {
    if (field === '*') return message.fields;
    const value = rendering.render(field.value, '');
    return value === '' ? [] : [{ name: rendering.render(field.name, ''), value }];
  });
}

function templated(message: ChatMessage, parts: CompiledParts, context: TemplateContext, channel: string, handling: FailureHandling): ChatMessage {
  const rendering = new MessageRendering({ message, payload: context.payload, channel }, handling);
  const links = (list: readonly Link[]): Link[] =>
    parts.link ? list.map((link) => ({ ...link, label: rendering.render(parts.link, link.label, { link }) })) : [...list];
  const summary = parts.summary ? rendering.render(parts.summary, message.summary ?? '') : message.summary;
  const written: ChatMessage = {
    ...message,
    title: rendering.render(parts.title, message.title),
    summary: summary === '' ? undefined : summary,
    fields: renderFields(parts, message, rendering),
    links: links(message.links),
    items: message.items.map(
      (item, index): Item => ({
        ...item,
        title: rendering.render(parts.item, item.title, { item, index }),
        links: links(item.links),
      }),
    ),
  };
  if (rendering.failed.size === 0) return written;
  // One line in the message itself: whoever reads it learns why it does not read as the team wrote it.
  const failed = [...rendering.failed];
  const note = failed.length === 1 ? `team template ${failed[0]} failed: that part reads as the relay writes it` : `team templates ${failed.join(', ')} failed: those parts read as the relay writes them`;
  return { ...written, notes: [...(message.notes ?? []), note] };
}

/**
 * The messages a source said, as the team's templates for that source (and channel) write them; without templates,
 * as the source said them. Either way their text is cleared of the relay's marks first. Pure but for `handling`,
 * which at run time logs a one-line warning; a failing part reads as the source said it.
 */
export function applyTemplates(
  messages: readonly ChatMessage[],
  context: TemplateContext,
  templates: CompiledTemplates,
  handling: FailureHandling = AT_RUN_TIME,
): ChatMessage[] {
  const forSource = templates.get(context.source);
  return messages.map((said) => {
    const message = cleared(said);
    if (!forSource) return message;
    const channel = message.channel ?? context.channel ?? 'default';
    return templated(message, forSource.channels.get(channel) ?? forSource.parts, context, channel, handling);
  });
}

/**
 * Routed notifications as the team's templates write them for the channel each now goes to (so a route to `ci` gets
 * `ci`'s templates), fitted to the queue again: a template may write more than the source said.
 */
export function writtenAs(
  notifications: readonly QueuedNotification[],
  context: Omit<TemplateContext, 'channel'>,
  templates: CompiledTemplates,
  handling: FailureHandling = AT_RUN_TIME,
): QueuedNotification[] {
  // Without templates for the source, a message is only cleared of marks, which makes it no longer: it still fits.
  if (!templates.get(context.source)) return notifications.map((notification) => ({ ...notification, message: cleared(notification.message) }));
  return notifications.map((notification) =>
    // The message's own channel (an S3 bucket rule's) gave way to the route's: the notification's is the one that holds.
    toNotification(applyTemplates([{ ...notification.message, channel: notification.channel }], context, templates, handling)[0]!, notification),
  );
}
