/**
 * `npm start`: ingest and deliver in one process, with an in-memory queue and, unless a real Spaces is configured,
 * the embedded stand-in at `/stand-in`. Same routes and answers as the deployed API, plus `GET /healthz`,
 * `POST /events` (an AWS event as the queue would carry it), `GET /dead-letters` and `POST /dead-letters/redrive`.
 * Delivery runs the deployed code path: batches, digests, idempotency, journal and dead letters, with in-memory stores.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachmentOpener, URL_DOWNLOAD_MAX_BYTES, URL_DOWNLOAD_TIMEOUT_MS } from '../attachments';
import type { HostRule } from '../net/host-allowlist';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../attachments/s3';
import {
  attachableBuckets,
  DEFAULT_DIGEST_THRESHOLD,
  SPACES_MAX_FILE_BYTES,
  withS3Buckets,
  type AttachmentFailureMode,
  type Channels,
  type ResolveMode,
  type S3BucketRule,
} from '../runtime/config';
import { deliverRecord, type RecordDependencies } from '../deliver/deliver-once';
import { AttachmentFailedError, PermanentDeliveryError } from '../deliver/deliver-notification';
import { deliverBatch } from '../deliver/batch';
import { assembleDelivery } from '../deliver/dependencies';
import { MemoryPersistenceLayer } from '../deliver/idempotency';
import { MemoryStateStore } from '../deliver/state-store';
import { errorResponse, PayloadTooLargeError, type JsonResponse } from '../runtime/errors';
import { DEFAULT_MAX_BODY_BYTES, ingestWebhook, type IntakeDependencies } from '../ingest/intake';
import { count, countTotals } from '../runtime/metrics';
import { resolveSourceSettings } from '../sources/settings';
import { SpacesClient } from '../spaces/client';
import { staticCredentials } from '../spaces/credentials';
import { SpacesError } from '../spaces/errors';
import { SPACES_LIMITS, SpacesRateLimiter, type SpacesLimits } from '../spaces/rate-limit';
import type { RetryPolicy } from '../spaces/retry';
import { MemoryQueue, type MemoryQueueOptions } from './memory-queue';
import { SpacesStandIn, type StandInOptions } from './spaces-stand-in';

export const STAND_IN_PREFIX = '/stand-in';

export interface LocalRelayOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host?: string;
  /** The inbound secret; without it every request is accepted. */
  readonly webhookToken?: string;
  readonly channels: Channels;
  /** A real Spaces API, or `undefined` for the embedded stand-in. */
  readonly spaces?: { readonly baseUrl: string; readonly token: string };
  readonly attachmentHosts?: readonly HostRule[];
  /** `ATTACHMENT_MAX_BYTES`: the S3 limit; URL downloads are capped lower still. */
  readonly attachmentMaxBytes?: number;
  readonly attachmentFailure?: AttachmentFailureMode;
  /** `S3_BUCKETS`: the buckets whose events are posted, with their filters and channels. */
  readonly s3Buckets?: readonly S3BucketRule[];
  /** `ATTACHMENT_S3_BUCKETS`: more buckets alerts may reference. */
  readonly attachmentS3Buckets?: readonly string[];
  /** The S3 client (`createS3Client(AWS_ENDPOINT_URL)` for moto_server); created from the environment if absent. */
  readonly s3Client?: S3Client;
  readonly retry?: RetryPolicy;
  /** Per-request limit of the Spaces JSON calls (10 s by default). */
  readonly spacesTimeoutMs?: number;
  readonly queue?: Omit<MemoryQueueOptions, 'handle'>;
  readonly standInFault?: StandInOptions['fault'];
  /** Limits the embedded stand-in enforces (none by default). */
  readonly standInLimits?: SpacesLimits;
  /** Limits the client keeps to: the documented ones by default; tests scale the windows down. */
  readonly rateLimits?: SpacesLimits;
  /** `SOURCE_SETTINGS` as JSON: per-source options. */
  readonly sourceSettings?: Readonly<Record<string, unknown>>;
  readonly resolveMode?: ResolveMode;
  readonly digestThreshold?: number;
  /** Pause after an unanswered post before looking whether it was stored. */
  readonly settleMs?: number;
}

export interface LocalRelay {
  readonly url: string;
  readonly queue: MemoryQueue;
  readonly standIn?: SpacesStandIn;
  close(): Promise<void>;
}

const LOCAL_STAND_IN_TOKEN = 'local-stand-in-token';

function reply(res: ServerResponse, response: JsonResponse): void {
  const text = JSON.stringify(response.body);
  res.writeHead(response.statusCode, { 'content-type': 'application/json', ...response.headers });
  res.end(text);
}

/** Reads a body up to `limit` bytes; past that it drains the rest and reports the size, so a 413 can be answered. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? size : Buffer.concat(chunks);
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** The record bodies an `/events` request stands for: the bodies of an SQS event's records, or the event itself. */
function eventBodies(body: Buffer): string[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return [body.toString('utf8')];
  }
  const records = (json as { Records?: { eventSource?: string; body?: unknown }[] }).Records;
  if (Array.isArray(records) && records.length > 0 && records.every((r) => r.eventSource === 'aws:sqs' && typeof r.body === 'string')) {
    return records.map((r) => r.body as string);
  }
  return [body.toString('utf8')];
}

async function handleEvents(body: Buffer, deps: RecordDependencies): Promise<JsonResponse> {
  const delivered = [];
  for (const record of eventBodies(body)) {
    try {
      delivered.push(...(await deliverRecord(record, deps)));
    } catch (error) {
      if (error instanceof PermanentDeliveryError) {
        return { statusCode: 400, body: { error: 'bad_request', message: error.message, delivered } };
      }
      if (error instanceof SpacesError || error instanceof AttachmentFailedError) {
        return { statusCode: 502, body: { error: 'delivery_failed', message: error.message, delivered } };
      }
      throw error;
    }
  }
  return { statusCode: 200, body: { delivered } };
}

function localDependencies(options: LocalRelayOptions, url: string, queue: () => MemoryQueue) {
  const spaces = new SpacesClient({
    baseUrl: options.spaces?.baseUrl ?? `${url}${STAND_IN_PREFIX}`,
    credentials: staticCredentials(options.spaces?.token ?? LOCAL_STAND_IN_TOKEN),
    retry: options.retry,
    timeoutMs: options.spacesTimeoutMs,
    gate: new SpacesRateLimiter({ limits: options.rateLimits ?? SPACES_LIMITS }),
    hooks: { onRetry: () => count('retried') },
  });
  const s3Buckets = options.s3Buckets ?? [];
  const sourceSettings = resolveSourceSettings(withS3Buckets(options.sourceSettings ?? {}, s3Buckets));
  const delivery: RecordDependencies = assembleDelivery({
    sourceSettings,
    spaces,
    channels: options.channels,
    attachmentFailure: options.attachmentFailure,
    openAttachment: attachmentOpener({
      url: {
        rules: options.attachmentHosts ?? [],
        maxBytes: Math.min(options.attachmentMaxBytes ?? URL_DOWNLOAD_MAX_BYTES, URL_DOWNLOAD_MAX_BYTES),
        timeoutMs: URL_DOWNLOAD_TIMEOUT_MS,
      },
      s3: {
        client: options.s3Client ?? createS3Client(),
        buckets: attachableBuckets(s3Buckets, options.attachmentS3Buckets ?? []),
        maxBytes: options.attachmentMaxBytes ?? SPACES_MAX_FILE_BYTES,
      },
    }),
    persistence: new MemoryPersistenceLayer(),
    store: new MemoryStateStore(),
    deadLetters: { send: (body, reason) => queue().deadLetter(body, reason) },
    resolveMode: options.resolveMode ?? 'edit-and-post',
    digestThreshold: options.digestThreshold ?? DEFAULT_DIGEST_THRESHOLD,
    settleMs: options.settleMs,
  });
  const intake: IntakeDependencies = {
    webhookSecret: async () => options.webhookToken,
    channels: Object.keys(options.channels),
    sourceSettings,
    enqueue: async (notifications) => queue().send(notifications.map((n) => JSON.stringify(n))),
  };
  return { delivery, intake };
}

export async function startLocalRelay(options: LocalRelayOptions): Promise<LocalRelay> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const standIn = options.spaces
    ? undefined
    : new SpacesStandIn({
        token: LOCAL_STAND_IN_TOKEN,
        publicUrl: () => `${url}${STAND_IN_PREFIX}`,
        fault: options.standInFault,
        limits: options.standInLimits,
      });
  const { delivery, intake } = localDependencies(options, url, () => queue);
  const queue = new MemoryQueue({ ...options.queue, handle: (records) => deliverBatch(records, delivery) });

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (standIn && (path === STAND_IN_PREFIX || path.startsWith(`${STAND_IN_PREFIX}/`))) {
      if (await standIn.handle(req, res, path.slice(STAND_IN_PREFIX.length) || '/')) return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      const body = { ok: true, queued: queue.depth, deadLetters: queue.deadLetters.length, counts: countTotals() };
      return reply(res, { statusCode: 200, body });
    }
    if (req.method === 'GET' && path === '/dead-letters') return reply(res, { statusCode: 200, body: { deadLetters: queue.deadLetters } });
    if (req.method === 'POST' && path === '/dead-letters/redrive') {
      req.resume();
      return reply(res, { statusCode: 200, body: { redriven: queue.redrive() } });
    }
    if (req.method === 'GET' && path === '/' && standIn) {
      res.writeHead(302, { location: `${STAND_IN_PREFIX}/` });
      return void res.end();
    }
    const body = await readBody(req, DEFAULT_MAX_BODY_BYTES);
    if (typeof body === 'number') {
      const tooLarge = new PayloadTooLargeError(`body is ${body} bytes; the limit is ${DEFAULT_MAX_BODY_BYTES}`, {
        problems: [{ field: 'body', problem: `larger than ${DEFAULT_MAX_BODY_BYTES} bytes` }],
      });
      return reply(res, errorResponse(tooLarge));
    }
    if (req.method === 'POST' && path === '/events') return reply(res, await handleEvents(body, delivery));
    reply(res, await ingestWebhook({ method: req.method ?? 'GET', path, headers: lowerCaseHeaders(req), body }, intake));
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: Error) => {
      if (!res.headersSent) reply(res, { statusCode: 500, body: { error: 'internal', message: error.message } });
      else res.destroy();
    });
  });

  return {
    url,
    queue,
    standIn,
    close: async () => {
      await queue.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
