/**
 * What every answer of the relay must be, whatever was sent: 2xx, or a JSON 4xx saying what is wrong — or, at a source
 * that answers as a chat service, the same in that service's words.
 */
import { parseHookPath } from '../../lambda/ingest/hook-path';
import type { AnswerStyle } from '../../lambda/ingest/answer-style';
import { findSource } from '../../lambda/sources';

/** An answer as a client sees it. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  /** `undefined` for a HEAD request, whose answer has no body. */
  readonly body: string | undefined;
}

/** The answer style of the source a request's path names (`relay` for any other path), as ingest picks it. */
export function styleOf(url: string): AnswerStyle {
  const name = parseHookPath(url.split('?', 1)[0]!)?.source;
  return (name === undefined ? undefined : findSource(name)?.webhook?.answers) ?? 'relay';
}

/** A chat service's answer: Teams' `1` or a reason in text, Discord's empty 204 or `{message, code}`, Slack's words. */
function expectChatAnswer(answer: Answer, style: Exclude<AnswerStyle, 'relay'>, accepted: boolean): void {
  if (answer.body === undefined) return;
  if (style === 'discord') {
    if (accepted) expect([answer.status, answer.body]).toEqual([204, '']);
    else expect(JSON.parse(answer.body)).toEqual({ message: expect.stringMatching(/./), code: expect.any(Number) });
    return;
  }
  expect(answer.contentType).toMatch(/^text\/plain\b/);
  if (accepted) expect([answer.status, answer.body]).toEqual([200, style === 'teams' ? '1' : 'ok']);
  else expect(answer.body).not.toBe('');
}

/**
 * Checks the relay's contract for any request: a 2xx, or a 4xx with a JSON object naming the `error` (a code) and a
 * `message` for people — never a 5xx, never another shape; for a source with a chat service's `style`, that
 * service's answers instead. Returns the parsed body of a relay answer (`{}` for a chat service's).
 */
export function expectWellFormed(answer: Answer, style: AnswerStyle = 'relay'): Record<string, unknown> {
  const accepted = answer.status >= 200 && answer.status < 300;
  const refused = answer.status >= 400 && answer.status < 500;
  if (!accepted && !refused) throw new Error(`answered ${answer.status}: ${answer.body?.slice(0, 500)}`);
  if (style !== 'relay') {
    expectChatAnswer(answer, style, accepted);
    return {};
  }
  if (answer.body === undefined) return {};
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
