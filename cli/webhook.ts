/**
 * Posting to the relay's webhook API as a sender does: the route of a source (and channel), the sender's proof of the
 * inbound secret in that sender's own scheme, and the relay's answer, checked.
 */
import * as v from 'valibot';
import { hmacSha256Hex } from '../lambda/security/hmac';
import { CliError } from './errors';

/**
 * `<api>/hooks[/<source>[/<channel>]]` (`/hooks` alone: the sender told by its payload); `apiUrl` is the stack's ApiUrl
 * output or a local relay's address.
 */
export function hookUrl(apiUrl: string, source?: string, channel?: string): URL {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const route = source === undefined ? [] : [source, ...(channel === undefined ? [] : [channel])];
  const path = ['hooks', ...route].map(encodeURIComponent).join('/');
  return new URL(path, base);
}

/**
 * The headers that prove `secret` the way `source`'s senders prove it: GitHub's and CircleCI's HMAC signatures over
 * the exact body, GitLab's token header, and `Authorization: Bearer` for the senders that send a static credential.
 */
export function senderProof(source: string, body: Buffer, secret: string): Record<string, string> {
  switch (source) {
    case 'github':
      return { 'x-hub-signature-256': `sha256=${hmacSha256Hex(secret, body)}` };
    case 'circleci':
      return { 'circleci-signature': `v1=${hmacSha256Hex(secret, body)}` };
    case 'gitlab':
      return { 'x-gitlab-token': secret };
    case 'sns':
      // SNS signs its messages with Amazon's own key: no one else can make a message the relay accepts.
      throw new CliError('sns messages carry an Amazon signature the command line cannot make: publish to the topic instead');
    default:
      return { authorization: `Bearer ${secret}` };
  }
}

/**
 * The relay's answer: accepted (202) with its id and how many notifications it queued and how many the team's routes
 * dropped, or refused with its error.
 */
export type WebhookAnswer =
  | { readonly accepted: true; readonly status: number; readonly id: string; readonly queued: number; readonly dropped: number }
  | { readonly accepted: false; readonly status: number; readonly error: string; readonly message: string };

// Ingest names `dropped` only when a route dropped something.
const AcceptedSchema = v.object({ id: v.string(), queued: v.number(), dropped: v.optional(v.number(), 0) });
const RefusedSchema = v.object({ error: v.string(), message: v.string() });

/** How long the API may take: API Gateway itself gives up after 29 s. */
const TIMEOUT_MS = 35_000;

/** POSTs `body` to `url` with `headers`; a network failure is an error that names the URL. */
export async function postWebhook(url: URL, body: Buffer, headers: Readonly<Record<string, string>>): Promise<WebhookAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new CliError(`could not reach ${url.origin}: ${reason}`, { cause: error });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const accepted = v.safeParse(AcceptedSchema, json);
  if (response.status < 300 && accepted.success) return { accepted: true, status: response.status, ...accepted.output };
  const refused = v.safeParse(RefusedSchema, json);
  return refused.success
    ? { accepted: false, status: response.status, ...refused.output }
    : { accepted: false, status: response.status, error: 'unexpected answer', message: text.slice(0, 200) || '(empty body)' };
}
