/**
 * How a webhook is answered. The relay's own answers are JSON (`202 {"id","queued"}`, `4xx {"error","message"}`);
 * a sender that thinks it posts to a chat service's incoming webhook reads the answer as that service's, and some
 * check it word for word (a Slack client waits for the body `ok`, and logs Slack's error words). A source's endpoint
 * names its style (`WebhookEndpoint.answers`); this is the one place that knows what each style says.
 */
import type { JsonResponse } from '../runtime/errors';

/** An answer in the relay's JSON, rewritten in a sender's style. */
type Restyle = (answer: JsonResponse) => JsonResponse;

/**
 * The problem a chat source reports for a payload with nothing to post (no text, no blocks, no embeds): the styles
 * answer it with their service's own error (Slack's `no_text`, Discord's `50006`). A source's schema check uses it as
 * its message.
 */
export const NOTHING_TO_SHOW = 'nothing to show';

/** The relay's refusal code and field, and whether the payload had nothing to show: which of a service's errors it is. */
function refusal(answer: JsonResponse): { code: string; field: unknown; empty: boolean } {
  const problems = Array.isArray(answer.body.problems) ? (answer.body.problems as { problem?: unknown }[]) : [];
  return { code: String(answer.body.error), field: answer.body.field, empty: problems.some((p) => p.problem === NOTHING_TO_SHOW) };
}

/**
 * Slack's incoming webhooks: `200 ok` as text; errors as Slack's own words in text (`400 invalid_payload`,
 * `400 no_text`, `403 invalid_token`, `404 channel_not_found`, `404 no_service`). Statuses Slack has no word for
 * keep the relay's status and code.
 */
const slack: Restyle = (answer) => {
  if (answer.statusCode < 300) return { ...answer, statusCode: 200, text: 'ok' };
  const { code, field, empty } = refusal(answer);
  const [statusCode, word] =
    code === 'bad_request' ? [400, empty ? 'no_text' : 'invalid_payload']
    : code === 'unauthorized' ? [403, 'invalid_token']
    : code === 'not_found' ? [404, field === 'channel' ? 'channel_not_found' : 'no_service']
    : [answer.statusCode, code];
  return { ...answer, statusCode, text: word };
};

/** Microsoft Teams' incoming webhooks: `200` with the body `1`; errors with their reason as text. */
const teams: Restyle = (answer) =>
  answer.statusCode < 300 ? { ...answer, statusCode: 200, text: '1' } : { ...answer, text: String(answer.body.message) };

/** Discord's error codes for what the relay refuses: JSON `{"message","code"}` as Discord answers. */
const DISCORD_CODES: Readonly<Record<string, { readonly code: number; readonly message?: string }>> = {
  bad_request: { code: 50035 },
  unauthorized: { code: 50027, message: 'Invalid Webhook Token' },
  not_found: { code: 10015, message: 'Unknown Webhook' },
};

/** Discord's webhooks: `204` without a body; errors as `{"message","code"}` (`50006` for a message with nothing to show). */
const discord: Restyle = (answer) => {
  if (answer.statusCode < 300) return { ...answer, statusCode: 204, text: '' };
  const { code, empty } = refusal(answer);
  const known = empty ? { code: 50006, message: 'Cannot send an empty message' } : DISCORD_CODES[code];
  return { ...answer, body: { message: known?.message ?? String(answer.body.message), code: known?.code ?? 0 } };
};

/** Every answer style, by the name an endpoint gives. */
export const ANSWER_STYLES = { relay: (answer: JsonResponse) => answer, slack, teams, discord } as const satisfies Record<string, Restyle>;

/** The name of an answer style: `relay` (the default), `slack`, `teams` or `discord`. */
export type AnswerStyle = keyof typeof ANSWER_STYLES;

/** `answer` as a sender of `style` expects it. */
export function inStyle(style: AnswerStyle | undefined, answer: JsonResponse): JsonResponse {
  return ANSWER_STYLES[style ?? 'relay'](answer);
}
