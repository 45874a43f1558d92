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
} from './errors';
import { logger } from './logger';
import { count } from './metrics';
import { notificationsFor, type QueuedNotification } from './notification';
import { mediaType, parseHookPath } from './routes';
import { findSource, SOURCES } from './sources';
import type { InboundRequest, Source } from './sources/source';
import type { ResolvedSettings } from './sources/settings';
import { validate } from './validate';

/** Bodies above this are refused with 413. Alertmanager groups of a few hundred alerts stay well below it. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface IntakeDependencies {
  /** The inbound secret; `undefined` only in local mode without `WEBHOOK_TOKEN`, where requests are not authenticated. */
  readonly webhookSecret: () => Promise<string | undefined>;
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

function decodeJson(request: InboundRequest): unknown {
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    throw new BadRequestError('body is not valid JSON', { problems: [{ field: 'body', problem: 'invalid JSON' }], cause: error });
  }
}

function route(request: InboundRequest, deps: IntakeDependencies): { source: Source<unknown, unknown>; channel: string } {
  const hook = parseHookPath(request.path);
  if (!hook) throw new NotFoundError(`no route for ${request.path}: post to /hooks/{source} or /hooks/{source}/{channel}`);
  const enabled = (name: string): boolean => !deps.enabledSources || deps.enabledSources.includes(name);
  const source = findSource(hook.source);
  if (!source?.webhook || !enabled(source.name)) {
    const names = SOURCES.filter((s) => s.webhook && enabled(s.name)).map((s) => s.name);
    throw new NotFoundError(`unknown source "${hook.source}"; supported: ${names.join(', ')}`);
  }
  const channel = hook.channel ?? 'default';
  if (!deps.channels.includes(channel)) {
    throw new NotFoundError(`unknown channel "${channel}"; configured: ${deps.channels.join(', ')}`);
  }
  return { source, channel };
}

async function accept(request: InboundRequest, deps: IntakeDependencies): Promise<JsonResponse> {
  if (request.method !== 'POST') throw new MethodNotAllowedError(`use POST, not ${request.method}`);
  const { source, channel } = route(request, deps);
  const endpoint = source.webhook!;

  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (request.body.length > limit) {
    throw new PayloadTooLargeError(`body is ${request.body.length} bytes; the limit is ${limit}`, {
      problems: [{ field: 'body', problem: `larger than ${limit} bytes` }],
    });
  }
  const type = mediaType(request.headers['content-type']);
  if (!endpoint.contentTypes.includes(type)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type "${type || '(none)'}" is not accepted by ${source.name}; send ${endpoint.contentTypes.join(' or ')}`,
      { problems: [{ field: 'content-type', problem: `expected ${endpoint.contentTypes.join(' or ')}` }] },
    );
  }

  const secret = await deps.webhookSecret();
  if (secret !== undefined) await endpoint.verify(request, secret);

  const payload = validate(source.schema, (endpoint.decode ?? decodeJson)(request), `invalid ${source.name} payload`);
  const id = (deps.newId ?? randomUUID)();
  const key = source.deliveryKey(payload, request);
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  const notifications = notificationsFor(source.toMessages(payload, deps.sourceSettings.get(source.name)), { id, deliveryKey: key, receivedAt, channel });
  if (notifications.length > 0) await deps.enqueue(notifications);
  count('received');
  logger.info('webhook accepted', { id, source: source.name, channel, deliveryKey: key, queued: notifications.length });
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
