/**
 * AWS events → messages, through the source that recognises them. Shared by deliver (events the stack routes to the
 * queue) and ingest (events a webhook carries, such as an SNS notification posted to `/hooks/sns`), so an event is
 * said the same way whichever road it took.
 */
import * as v from 'valibot';
import type { Problem } from '../runtime/errors';
import type { ChatMessage } from '../model/message';
import { SOURCES } from '.';
import type { ResolvedSettings } from './settings';
import { problemsOf } from '../runtime/validate';

/** What became of one event: its source's messages and delivery key, or why no source could say it. */
export type Dispatched =
  | { readonly ok: true; readonly source: string; readonly deliveryKey: string; readonly messages: ChatMessage[]; readonly payload: unknown }
  | { readonly ok: false; readonly reason: string; readonly problems: readonly Problem[] };

/** What kind of JSON value `value` (not a string) is, in words. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A short description of an unrecognised event for the rejection reason, without its content. Only strings are
 * shown: an object of the event (`"source": {"toString": 1}`) cannot even be turned into text.
 */
function shapeOf(event: unknown): string {
  if (!event || typeof event !== 'object') return typeof event;
  const e = event as Record<string, unknown>;
  if (typeof e['detail-type'] === 'string') {
    const source = typeof e.source === 'string' ? e.source : e.source === undefined ? 'no source' : `a source that is ${kindOf(e.source)}`;
    return `EventBridge "${e['detail-type']}" from ${source}`;
  }
  return `object with keys ${Object.keys(e).slice(0, 6).join(', ')}`;
}

/**
 * Hands `event` to the first source whose `event.matches` recognises it, parses it with that source's schema and says
 * it. The team's templates are applied later, once the routes have said which channel each message goes to.
 */
export function dispatchEvent(event: unknown, settings: ResolvedSettings): Dispatched {
  const source = SOURCES.find((candidate) => candidate.event?.matches(event));
  if (!source) {
    const known = SOURCES.filter((s) => s.event).map((s) => s.name);
    return {
      ok: false,
      reason: `no source recognises this event (${shapeOf(event)}); event sources: ${known.join(', ') || 'none'}`,
      problems: [],
    };
  }
  const parsed = v.safeParse(source.schema, event);
  if (!parsed.success) {
    const problems = problemsOf(parsed.issues);
    return { ok: false, reason: `invalid ${source.name} event: ${problems[0]!.field}: ${problems[0]!.problem}`, problems };
  }
  return {
    ok: true,
    source: source.name,
    deliveryKey: source.deliveryKey(parsed.output),
    messages: source.toMessages(parsed.output, settings.get(source.name)),
    payload: event,
  };
}
