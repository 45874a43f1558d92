/**
 * Ingest's logic, free of Lambda: verify → parse → normalize → queue. The handler and the local server both call
 * `ingestWebhook`; it answers every request with JSON and never lets bad input become a 500.
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
import { parseHookPath } from './hook-path';
import { findSource, SOURCES } from '../sources';
import { decodeJson, type InboundRequest, type Source } from '../sources/source';
import type { ResolvedSettings } from '../sources/settings';
import { validate } from '../runtime/validate';
import type { InboundSecrets } from './inbound-secret';
import { verifySender } from './verify-sender';

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
  readonly enqueue: (notifications: readonly QueuedNotification[]) => Promise<void>;
  readonly maxBodyBytes?: number;
  readonly newId?: () => string;
  readonly now?: () => Date;
}

/** The sources this team can reach over HTTP, in registry order. */
function webhookSources(deps: IntakeDependencies): Source<unknown, unknown>[] {
  return SOURCES.filter((s) => s.webhook && (!deps.enabledSources || deps.enabledSources.includes(s.name)));
}

function namedSource(name: string, deps: IntakeDependencies): Source<unknown, unknown> {
  const source = findSource(name);
  const available = webhookSources(deps);
  if (!source || !available.includes(source)) {
    throw new NotFoundError(`unknown source "${name}"; supported: ${available.map((s) => s.name).join(', ')}`);
  }
  return source;
}

/** The named source and the channel; no source for `POST /hooks`, whose sender `detectSource` recognises. */
function route(request: InboundRequest, deps: IntakeDependencies): { source?: Source<unknown, unknown>; channel: string } {
  const hook = parseHookPath(request.path);
  if (!hook) {
    throw new NotFoundError(`no route for ${request.path}: post to /hooks/{source}, /hooks/{source}/{channel} or /hooks`);
  }
  const source = hook.source === undefined ? undefined : namedSource(hook.source, deps);
  const channel = hook.channel ?? 'default';
  if (!deps.channels.includes(channel)) {
    throw new NotFoundError(`unknown channel "${channel}"; configured: ${deps.channels.join(', ')}`);
  }
  return { source, channel };
}

/** Messages to queue under one delivery key. */
interface Said {
  readonly deliveryKey: string;
  readonly messages: readonly ChatMessage[];
}

/** An event a webhook carried, said by the source that recognises it; one that no source can say is bad input. */
function carriedEvent(carrier: string, event: unknown, settings: ResolvedSettings): Said {
  const dispatched = dispatchEvent(event, settings);
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
  const candidates = webhookSources(deps).filter((s) => s.webhook?.detect);
  const source = candidates.find((s) => s.webhook!.detect!(request, body));
  if (!source) {
    throw new BadRequestError(
      `cannot tell which sender this is; supported: ${candidates.map((s) => s.name).join(', ')} (or post to /hooks/{source})`,
      { problems: [{ field: 'body', problem: 'matches no supported sender' }] },
    );
  }
  return source;
}

async function accept(received: InboundRequest, deps: IntakeDependencies): Promise<JsonResponse> {
  if (received.method !== 'POST') throw new MethodNotAllowedError(`use POST, not ${received.method}`);
  const { source: named, channel } = route(received, deps);

  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (received.body.length > limit) {
    throw new PayloadTooLargeError(`body is ${received.body.length} bytes; the limit is ${limit}`, {
      problems: [{ field: 'body', problem: `larger than ${limit} bytes` }],
    });
  }
  const request = decodedRequest(received, limit);
  const source = named ?? detectSource(request, deps);
  const endpoint = source.webhook!;
  const type = mediaType(request.headers['content-type']);
  if (!endpoint.contentTypes.includes(type)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type "${type || '(none)'}" is not accepted by ${source.name}; send ${endpoint.contentTypes.join(' or ')}`,
      { problems: [{ field: 'content-type', problem: `expected ${endpoint.contentTypes.join(' or ')}` }] },
    );
  }

  const secretUsed = deps.inboundSecrets && (await verifySender(endpoint, request, deps.inboundSecrets));

  const payload = validate(source.schema, (endpoint.decode ?? decodeJson)(request), `invalid ${source.name} payload`);
  const id = (deps.newId ?? randomUUID)();
  const said: Said[] = endpoint.open
    ? (await endpoint.open(payload)).map((event) => carriedEvent(source.name, event, deps.sourceSettings))
    : [{ deliveryKey: source.deliveryKey(payload, request), messages: source.toMessages(payload, deps.sourceSettings.get(source.name)) }];
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  const notifications = said.flatMap(({ deliveryKey, messages }) => notificationsFor(messages, { id, deliveryKey, receivedAt, channel }));
  if (notifications.length > 0) await deps.enqueue(notifications);
  const deliveryKey = said.map((s) => s.deliveryKey).join(', ');
  count('received', 1, secretUsed === 'previous' ? 'previousSecret' : undefined);
  logger.info('webhook accepted', { id, source: source.name, channel, deliveryKey, queued: notifications.length });
  if (secretUsed === 'previous') {
    // Who has not moved to the new value yet, by what they send about themselves (never the value itself).
    logger.warn('webhook verified with the previous inbound secret', {
      id,
      source: source.name,
      channel,
      userAgent: request.headers['user-agent'],
      forwardedFor: request.headers['x-forwarded-for'],
    });
  }
  return { statusCode: 202, body: notifications.length > 0 ? { id, queued: notifications.length } : { id, queued: 0, note: 'acknowledged: nothing to post' } };
}

/** Answers one webhook request: 202 `{id}` once queued, or a 4xx with a JSON body naming the problem. */
export async function ingestWebhook(request: InboundRequest, deps: IntakeDependencies): Promise<JsonResponse> {
  try {
    return await accept(request, deps);
  } catch (error) {
    if (!(error instanceof HttpError)) {
      // Our side failed (the queue, the secret store): the sender should retry, and nothing was queued.
      logger.error('webhook not queued', { path: request.path, error: error as Error });
      count('rejected', 1, 'unavailable');
      return { statusCode: 503, body: { error: 'unavailable', message: 'the notification could not be queued; retry later' } };
    }
    const response = errorResponse(error);
    count('rejected', 1, error.code);
    logger.warn('webhook rejected', { path: request.path, status: response.statusCode, reason: response.body.message });
    return response;
  }
}
