/**
 * Ingest's logic, free of Lambda: route → the checks the headers allow (method, declared size, content type, the
 * sender's proof when it is in the headers) → only then the body: decode, verify a proof over it, parse, normalize,
 * queue. The handler and the local server both call `ingestWebhook` (the server asks `screenWebhook` first, before it
 * reads the body); it answers every request with JSON and never lets bad input become a 500. Before the sender is
 * authenticated an answer says only what the README says of every relay: the team's channels and the sources it
 * turned on are named only to a caller that proved it holds the inbound secret.
 */
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  errorResponse,
  HttpError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  type JsonResponse,
} from '../runtime/errors';
import { dispatchEvent } from '../sources/dispatch';
import { parseJson } from '../runtime/json';
import { logger } from '../runtime/logger';
import type { ChatMessage } from '../model/message';
import { count } from '../runtime/metrics';
import { notificationsFor, type QueuedNotification } from '../model/notification';
import { mediaType } from '../net/content-type';
import { decodedRequest } from './content-encoding';
import { inStyle, type AnswerStyle } from './answer-style';
import { parseHookPath, shownPath } from './hook-path';
import { verifyPathSecret } from '../sources/shared-secret';
import { findSource, SOURCES } from '../sources';
import { decodeJson, type InboundRequest, type RequestHead, type RequestHeaders, type Source } from '../sources/source';
import type { ResolvedSettings } from '../sources/settings';
import { writtenAs, type CompiledTemplates } from '../render/templates';
import { validate } from '../runtime/validate';
import { routed } from '../routing/routed';
import type { CompiledRoute } from '../routing/routes';
import type { InboundSecrets } from './inbound-secret';
import { verifySender, type SecretUsed } from './verify-sender';

/** Bodies above this are refused with 413. Alertmanager groups of a few hundred alerts stay well below it. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface IntakeDependencies {
  /** The inbound secret; `undefined` only in local mode without `WEBHOOK_TOKEN`, where requests are not authenticated. */
  readonly inboundSecrets: InboundSecrets | undefined;
  /** Channel names a route may name (`default` is always there). */
  readonly channels: readonly string[];
  /** Sources this team turned on; every source when absent. */
  readonly enabledSources?: readonly string[];
  readonly sourceSettings: ResolvedSettings;
  /** The team's routes and drops, applied to every message; none when absent. */
  readonly routes?: readonly CompiledRoute[];
  /** How the team's messages read (`render/templates.ts`). */
  readonly templates: CompiledTemplates;
  readonly enqueue: (notifications: readonly QueuedNotification[]) => Promise<void>;
  readonly maxBodyBytes?: number;
  readonly newId?: () => string;
  readonly now?: () => Date;
}

/** Every source the relay serves over HTTP, in registry order: what the README lists, whatever a team turned on. */
const RELAY_SOURCES = SOURCES.filter((s) => s.webhook);

function isEnabled(source: Source<unknown, unknown>, deps: IntakeDependencies): boolean {
  return !deps.enabledSources || deps.enabledSources.includes(source.name);
}

/** The source a route names. Answered before authentication, so the refusal names only what every relay serves. */
function namedSource(name: string): Source<unknown, unknown> {
  const source = RELAY_SOURCES.find((s) => s.name === name);
  if (!source) throw new NotFoundError(`unknown source "${name}"; supported: ${RELAY_SOURCES.map((s) => s.name).join(', ')}`);
  return source;
}

/**
 * The team's own configuration, checked only once the sender is authenticated: a caller without the secret gets the
 * same 401 whatever source and channel it names, so it cannot learn the channel names (nor which sources are on).
 */
function admit(source: Source<unknown, unknown>, channel: string, deps: IntakeDependencies): void {
  if (!isEnabled(source, deps)) {
    const enabled = RELAY_SOURCES.filter((s) => isEnabled(s, deps)).map((s) => s.name);
    throw new NotFoundError(`source "${source.name}" is not turned on for this relay; turned on: ${enabled.join(', ')}`, {
      problems: [{ field: 'source', problem: 'not turned on' }],
    });
  }
  if (!deps.channels.includes(channel)) {
    throw new NotFoundError(`unknown channel "${channel}"; configured: ${deps.channels.join(', ')}`, {
      problems: [{ field: 'channel', problem: 'not configured' }],
    });
  }
}

/** `size` is not known of a body sent in chunks: only that it went past the limit. */
function tooLarge(size: number | undefined, limit: number): PayloadTooLargeError {
  const said = size === undefined ? `body is larger than the limit of ${limit} bytes` : `body is ${size} bytes; the limit is ${limit}`;
  return new PayloadTooLargeError(said, {
    problems: [{ field: 'body', problem: `larger than ${limit} bytes` }],
  });
}

function checkContentType(source: Source<unknown, unknown>, headers: RequestHeaders): void {
  const accepted = source.webhook!.contentTypes;
  const type = mediaType(headers['content-type']);
  if (!accepted.includes(type)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type "${type || '(none)'}" is not accepted by ${source.name}; send ${accepted.join(' or ')}`,
      { problems: [{ field: 'content-type', problem: `expected ${accepted.join(' or ')}` }] },
    );
  }
}

/**
 * The value of the inbound secret the path or the headers prove, for a sender whose proof is in them; else
 * `undefined`. A secret in the path, where the endpoint takes one, is the proof; otherwise the headers are.
 */
async function headProof(
  source: Source<unknown, unknown>,
  headers: RequestHeaders,
  pathSecret: string | undefined,
  deps: IntakeDependencies,
): Promise<SecretUsed | undefined> {
  const endpoint = source.webhook!;
  if (!deps.inboundSecrets) return undefined;
  if (pathSecret !== undefined) return verifySender((secret) => verifyPathSecret(pathSecret, secret), deps.inboundSecrets);
  if (!endpoint.verifyHeaders) return undefined;
  return verifySender((secret) => endpoint.verifyHeaders!(headers, secret), deps.inboundSecrets);
}

/** What the method, path and headers of a request decided, before its body is looked at. */
interface Screened {
  /** The source the path names; none for `POST /hooks`, whose sender the body tells. */
  readonly source?: Source<unknown, unknown>;
  readonly channel: string;
  /** The value of the inbound secret the headers proved, when the source's proof is in them. */
  readonly headerProof?: SecretUsed;
  /** Whether the source and channel passed `admit` (the sender was authenticated by its headers). */
  readonly admitted: boolean;
}

/**
 * Route → method, declared size, content type → the proof in the headers → (once authenticated) the team's source
 * and channel. Everything here is cheap and needs no body; throws the `HttpError` of the first check that fails.
 */
async function screen(head: RequestHead, deps: IntakeDependencies): Promise<Screened> {
  if (head.method !== 'POST') throw new MethodNotAllowedError(`use POST, not ${head.method}`);
  const hook = parseHookPath(head.path);
  const source = hook?.source === undefined ? undefined : namedSource(hook.source);
  if (!hook || (hook.secret !== undefined && !source?.webhook!.secretInPath)) {
    throw new NotFoundError(`no route for ${shownPath(head.path)}: post to /hooks/{source}, /hooks/{source}/{channel} or /hooks`);
  }
  const channel = hook.channel ?? 'default';
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = Number(head.headers['content-length']);
  if (declared > limit) throw tooLarge(declared, limit);
  if (!source) return { channel, admitted: false };

  checkContentType(source, head.headers);
  const proved = await headProof(source, head.headers, hook.secret, deps);
  if (deps.inboundSecrets && proved === undefined) return { source, channel, admitted: false };
  admit(source, channel, deps);
  return { source, channel, headerProof: proved, admitted: true };
}

/** Messages to queue under one delivery key. */
interface Said {
  readonly deliveryKey: string;
  readonly messages: readonly ChatMessage[];
  /** The source that said them, and the payload its templates see. */
  readonly source: string;
  readonly payload: unknown;
}

/** An event a webhook carried, said by the source that recognises it; one that no source can say is bad input. */
function carriedEvent(carrier: string, event: unknown, deps: IntakeDependencies): Said {
  const dispatched = dispatchEvent(event, deps.sourceSettings);
  if (!dispatched.ok) throw new BadRequestError(`${carrier} message: ${dispatched.reason}`, { problems: dispatched.problems });
  return dispatched;
}

/**
 * The sender of a `POST /hooks` request, from its headers and the shape of its body: the first source (in registry
 * order) whose `detect` recognises it. The body is parsed here only to be looked at; it is verified and validated
 * afterwards like any other.
 */
function detectSource(request: InboundRequest, deps: IntakeDependencies): Source<unknown, unknown> {
  let body: unknown;
  try {
    body = parseJson(request.body.toString('utf8'));
  } catch {
    // Not JSON, or not within the limits: the source that takes it (the generic text source, or none) says why.
    body = undefined;
  }
  const source = RELAY_SOURCES.find((s) => isEnabled(s, deps) && s.webhook!.detect?.(request, body));
  if (!source) {
    // Said before authentication: it names what the relay recognises, not what this team turned on.
    const detectable = RELAY_SOURCES.filter((s) => s.webhook!.detect).map((s) => s.name);
    throw new BadRequestError(
      `cannot tell which sender this is; the relay recognises ${detectable.join(', ')} when turned on (or post to /hooks/{source})`,
      { problems: [{ field: 'body', problem: 'matches no supported sender' }] },
    );
  }
  return source;
}

/** How the answer is written: the style of the source the path names, or of the one recognised from the body. */
interface Answering {
  style: AnswerStyle | undefined;
}

async function accept(received: InboundRequest, deps: IntakeDependencies, answering: Answering): Promise<JsonResponse> {
  const screened = await screen(received, deps);
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (received.body.length > limit) throw tooLarge(received.body.length, limit);
  const request = decodedRequest(received, limit);
  const source = screened.source ?? detectSource(request, deps);
  const endpoint = source.webhook!;
  // A Slack payload recognised at `POST /hooks` is answered as Slack answers, as at `/hooks/slack`: its client expects it.
  answering.style = endpoint.answers;
  let provedByHeaders = screened.headerProof;
  if (!screened.source) {
    checkContentType(source, request.headers);
    provedByHeaders = await headProof(source, request.headers, undefined, deps);
  }
  const provedByBody =
    deps.inboundSecrets && endpoint.verify && (await verifySender((secret) => endpoint.verify!(request, secret), deps.inboundSecrets));
  if (!screened.admitted) admit(source, screened.channel, deps);
  const channel = screened.channel;
  const onPrevious = provedByHeaders === 'previous' || provedByBody === 'previous';

  const decoded = (endpoint.decode ?? decodeJson)(request);
  const payload = validate(source.schema, decoded, `invalid ${source.name} payload`);
  const id = (deps.newId ?? randomUUID)();
  const said: Said[] = endpoint.open
    ? (await endpoint.open(payload)).map((event) => carriedEvent(source.name, event, deps))
    : [{ deliveryKey: source.deliveryKey(payload, request), messages: source.toMessages(payload, deps.sourceSettings.get(source.name)), source: source.name, payload: decoded }];
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  // Routed first, then written: a message's templates are those of the channel its route sends it to.
  const routedSaid = said.map((s) => ({ said: s, ...routed(notificationsFor(s.messages, { id, deliveryKey: s.deliveryKey, receivedAt, channel }), deps.routes ?? []) }));
  const notifications = routedSaid.flatMap(({ said: s, kept }) => writtenAs(kept, { source: s.source, payload: s.payload }, deps.templates));
  const dropped = routedSaid.flatMap((r) => r.dropped);
  if (notifications.length > 0) await deps.enqueue(notifications);
  const deliveryKey = said.map((s) => s.deliveryKey).join(', ');
  count('received', 1, onPrevious ? 'previousSecret' : undefined);
  logger.info('webhook accepted', { id, source: source.name, channel, deliveryKey, queued: notifications.length, dropped: dropped.length });
  if (onPrevious) {
    // Who has not moved to the new value yet, by what they send about themselves (never the value itself).
    logger.warn('webhook verified with the previous inbound secret', {
      id,
      source: source.name,
      channel,
      userAgent: request.headers['user-agent'],
      forwardedFor: request.headers['x-forwarded-for'],
    });
  }
  // A drop is the team's own choice, so the sender is told it was accepted, as for anything else.
  const answer = notifications.length > 0 ? { id, queued: notifications.length } : { id, queued: 0, note: 'acknowledged: nothing to post' };
  return { statusCode: 202, body: dropped.length > 0 ? { ...answer, dropped: dropped.length } : answer };
}

/** The answer to a refused request, logged and counted. Not an `HttpError`: our side failed, and the sender should retry. */
function refusal(error: unknown, path: string): JsonResponse {
  if (!(error instanceof HttpError)) {
    // The queue or the secret store failed: nothing was queued.
    logger.error('webhook not queued', { path: shownPath(path), error: error as Error });
    count('rejected', 1, 'unavailable');
    return { statusCode: 503, body: { error: 'unavailable', message: 'the notification could not be queued; retry later' } };
  }
  const response = errorResponse(error);
  count('rejected', 1, error.code);
  logger.warn('webhook rejected', { path: shownPath(path), status: response.statusCode, reason: response.body.message });
  return response;
}

/**
 * The answer to a webhook request that its method, path and headers already refuse (no such route, a declared body
 * over the limit, a content type its sender never uses, a missing or wrong proof in the headers), or `undefined` when
 * the body is needed to decide. The local server asks this before it reads a byte of the body; `ingestWebhook`
 * makes the same checks first, so that in Lambda too nothing of the body is decoded for an unauthenticated caller.
 */
export async function screenWebhook(head: RequestHead, deps: IntakeDependencies): Promise<JsonResponse | undefined> {
  try {
    await screen(head, deps);
    return undefined;
  } catch (error) {
    return inStyle(styleOfPath(head.path), refusal(error, head.path));
  }
}

/**
 * The answer to a body that turned out larger than `limit` only as it arrived (sent in chunks, without a length):
 * what `ingestWebhook` answers for a body over the limit, in the same style.
 */
export function refuseOversizedBody(head: RequestHead, limit = DEFAULT_MAX_BODY_BYTES): JsonResponse {
  return inStyle(styleOfPath(head.path), refusal(tooLarge(undefined, limit), head.path));
}

/** The answer style of the source the path names (see `WebhookEndpoint.answers`); the relay's own elsewhere. */
function styleOfPath(path: string): AnswerStyle | undefined {
  const name = parseHookPath(path)?.source;
  return name === undefined ? undefined : findSource(name)?.webhook?.answers;
}

/**
 * Answers one webhook request: 202 `{id}` once queued, or a 4xx with a JSON body naming the problem — or the same
 * in the style of the chat service the source's sender thinks it posts to.
 */
export async function ingestWebhook(request: InboundRequest, deps: IntakeDependencies): Promise<JsonResponse> {
  const answering: Answering = { style: styleOfPath(request.path) };
  try {
    const answer = await accept(request, deps, answering);
    return inStyle(answering.style, answer);
  } catch (error) {
    return inStyle(answering.style, refusal(error, request.path));
  }
}
