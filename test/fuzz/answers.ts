/**
 * What every answer of the relay must be, whatever was sent: 2xx, or a JSON 4xx saying what is wrong — or, at the route
 * of a chat-webhook source (or at `POST /hooks` for a chat post recognised there), the same in its chat service's
 * style (`ingest/answer-style.ts`).
 */
import type { AnswerStyle } from '../../lambda/ingest/answer-style';
import { parseHookPath } from '../../lambda/ingest/hook-path';
import { findSource, SOURCES } from '../../lambda/sources';

/** An answer as a client sees it. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  /** `undefined` for a HEAD request, whose answer has no body. */
  readonly body: string | undefined;
}

/** Chat sources `POST /hooks` recognises from the body (only Slack's senders set no header the relay could need). */
const RECOGNISED_CHAT_STYLES = new Set(
  SOURCES.flatMap((source) => (source.webhook?.detect && source.webhook.answers ? [source.webhook.answers] : [])),
);

/**
 * The answer style of a request's answer: that of the source its path names; at `POST /hooks`, that of the source
 * recognised from its body — which only the answer shows, so an answer that is not the relay's JSON is taken in the
 * style of a chat source the relay recognises there; the relay's own for any other path.
 */
export function styleOf(url: string, answer: Answer): AnswerStyle {
  const route = parseHookPath(url.split('?', 1)[0]!);
  if (route?.source !== undefined) return findSource(route.source)?.webhook?.answers ?? 'relay';
  const json = /^application\/json\b/.test(answer.contentType ?? '');
  const [chat] = [...RECOGNISED_CHAT_STYLES];
  return route && !json && answer.body !== undefined && chat ? chat : 'relay';
}

/** A chat service's own answer: Slack's `ok` or error word, Teams' `1` or reason, Discord's 204 or `{message, code}`. */
function expectStyled(answer: Answer, style: Exclude<AnswerStyle, 'relay'>, accepted: boolean): void {
  if (style === 'discord') {
    if (accepted) expect([answer.status, answer.body]).toEqual([204, '']);
    else expect(JSON.parse(answer.body!)).toEqual({ message: expect.stringMatching(/./), code: expect.any(Number) });
    return;
  }
  expect(answer.contentType).toMatch(/^text\/plain\b/);
  if (accepted) expect([answer.status, answer.body]).toEqual([200, style === 'slack' ? 'ok' : '1']);
  else expect(answer.body).toMatch(style === 'slack' ? /^[a-z_]+$/ : /./);
}

/**
 * Checks the relay's contract for any request to `url`: a 2xx, or a 4xx with a JSON object naming the `error` (a code)
 * and a `message` for people — never a 5xx, never another shape; at a chat source's route, its service's own shape,
 * except for what the local server refuses before ingest sees the request (a body too large to read, headers too
 * large), which keeps the relay's JSON. Returns the parsed body of a JSON answer of the relay's own.
 */
export function expectWellFormed(answer: Answer, url: string): Record<string, unknown> {
  const accepted = answer.status >= 200 && answer.status < 300;
  const refused = answer.status >= 400 && answer.status < 500;
  if (!accepted && !refused) throw new Error(`answered ${answer.status}: ${answer.body?.slice(0, 500)}`);
  if (answer.body === undefined) return {};
  const style = styleOf(url, answer);
  const relayJson = refused && /^application\/json\b/.test(answer.contentType ?? '') && 'error' in (JSON.parse(answer.body) as object);
  if (style !== 'relay' && !relayJson) {
    expectStyled(answer, style, accepted);
    return {};
  }
  expect(answer.contentType).toMatch(/^application\/json\b/);
  const body: unknown = JSON.parse(answer.body);
  expect(body).toEqual(expect.any(Object));
  expect(Array.isArray(body)).toBe(false);
  if (refused) {
    expect(body).toMatchObject({ error: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
    expect((body as { message: string }).message).not.toBe('');
  }
  return body as Record<string, unknown>;
}

/** A 4xx (any answer that is not a 2xx, once `expectWellFormed` has passed). */
export const isRefusal = (answer: Answer): boolean => answer.status >= 400;

/** `promise`, or a failure naming `what` once `ms` have passed: a hang is a failure like a crash. */
export async function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
