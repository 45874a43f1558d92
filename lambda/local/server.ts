/**
 * `npm start`: the two deployed handlers in one process. Each HTTP request becomes an API Gateway HTTP API 2.0 event
 * for the ingest handler; the in-memory queue hands SQS batches to the deliver handler, with the deployed queue's
 * rules. Both handlers are built by the same composition roots as in Lambda (`ingest/dependencies.ts`,
 * `deliver/dependencies.ts`) from the same settings variables, parsed by the same schemas; only the platform differs:
 * memory for the table, the local queue for SQS, `SPACES_TOKEN` (or the stand-in's token) in place of the token
 * secret (a renewed grant is kept in memory only), and — unless a real Spaces is configured — the embedded Spaces
 * stand-in at `/stand-in`.
 *
 * A request is judged on its headers before its body is read: a webhook by the same checks ingest makes first
 * (`screenWebhook`: route, declared size, content type, the sender's proof when it is in the headers), a local route by
 * its bearer token. A refused request is answered at once and its connection closed, the body unread (but for a
 * short, bounded linger that lets the answer reach the client).
 *
 * Besides the deployed routes: `GET /healthz`, `POST /events` (an AWS event, put on the queue as the stack's wiring
 * would), `GET /dead-letters`, `POST /dead-letters/redrive` and `POST /stand-in/preview` (what a payload would post,
 * for the page's try panel); all but the first need the inbound secret when one is set.
 */
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DELIVER_MAX_RECEIVES,
  DELIVER_TIMEOUT_SECONDS,
  FUNCTION_MEMORY_MB,
  INGEST_TIMEOUT_SECONDS,
  STATE_TTL_SECONDS,
} from '../../infra/limits';
import { createS3Client } from '../attachments/s3';
import { deliverDependencies, type DeliverTuning } from '../deliver/dependencies';
import { createDeliverHandler } from '../deliver/handler';
import { MemoryPersistenceLayer } from '../deliver/idempotency';
import { MemoryStateStore } from '../deliver/state-store';
import { ingestDependencies } from '../ingest/dependencies';
import { answerContent, fromApiGateway } from '../ingest/api-gateway';
import { fixedInboundSecret } from '../ingest/inbound-secret';
import { createIngestHandler } from '../ingest/handler';
import { DEFAULT_MAX_BODY_BYTES, refuseOversizedBody, screenWebhook } from '../ingest/intake';
import { verifySender } from '../ingest/verify-sender';
import { readDeliverSettings, readIngestSettings } from '../runtime/config';
import {
  BadRequestError,
  ConfigError,
  errorResponse,
  HeaderFieldsTooLargeError,
  RequestTimeoutError,
  UnauthorizedError,
  type HttpError,
  type JsonResponse,
} from '../runtime/errors';
import { countTotals } from '../runtime/metrics';
import { SOURCES } from '../sources';
import { verifySharedSecret } from '../sources/shared-secret';
import type { RequestHead } from '../sources/source';
import { localTokenSecret } from '../spaces/credentials';
import { CredentialError } from '../spaces/errors';
import { parseTokenSecret } from '../spaces/token-secret';
import type { SpacesLimits } from '../spaces/rate-limit';
import { apiGatewayEvent, lambdaContext, splitTarget } from './lambda-shapes';
import { fixtureCatalog } from './fixture-catalog';
import { MemoryQueue, type MemoryQueueOptions } from './memory-queue';
import { SpacesStandIn, type StandInOptions } from './spaces-stand-in';
import { fixtureAnswer, previewAnswer } from './try-panel';

export const STAND_IN_PREFIX = '/stand-in';
/** Where the page's try panel asks what a payload would post (the inbound secret guards it, as the other local routes). */
const PREVIEW_PATH = `${STAND_IN_PREFIX}/preview`;
/** The space of the `default` channel when neither `CHANNELS` nor `SPACE_ID` says otherwise. */
export const LOCAL_SPACE_ID = 'local-space';

export interface LocalRelayOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host?: string;
  /** The inbound secret; without it every request is accepted. */
  readonly webhookToken?: string;
  /**
   * The functions' settings variables, as the stack sets them from a team config: `CHANNELS`, `SOURCE_SETTINGS`,
   * `TEMPLATES`, `S3_BUCKETS`, `ATTACHMENT_*`, `RESOLVE_MODE`, `DIGEST_THRESHOLD`, `AWS_ENDPOINT_URL`. `CHANNELS` defaults to a
   * `default` channel on {@link LOCAL_SPACE_ID}; `SPACES_API_URL` is the stand-in's unless `spaces` is given.
   */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  /**
   * A real Spaces API and its credential (`SPACES_TOKEN`: a token, `{"scheme","token"}` or an OAuth grant, as the
   * token secret holds it), or `undefined` for the embedded stand-in.
   */
  readonly spaces?: { readonly baseUrl: string; readonly token: string };
  /** The S3 client; from `AWS_ENDPOINT_URL` (path-style, for moto_server) when absent. */
  readonly s3Client?: S3Client;
  /** Faster retries, timeouts and rate-limit windows, for tests. */
  readonly tuning?: DeliverTuning;
  readonly queue?: MemoryQueueOptions;
  readonly standInFault?: StandInOptions['fault'];
  /** Limits the embedded stand-in enforces (none by default). */
  readonly standInLimits?: SpacesLimits;
  /** Timeouts and the connection cap of the HTTP server (see {@link DEFAULT_CONNECTION_LIMITS}). */
  readonly connectionLimits?: Partial<ConnectionLimits>;
  /** Fixture folders the page's try panel offers payloads from (see {@link DEFAULT_FIXTURE_DIRS}). */
  readonly fixtureDirs?: readonly string[];
}

/** The repository's fixtures, then the shared set beside the checkout. */
const DEFAULT_FIXTURE_DIRS = [join(__dirname, '..', '..', 'test', 'fixtures'), join(__dirname, '..', '..', '..', 'shared', 'fixtures')];

/** What one client may hold of the local server. */
export interface ConnectionLimits {
  /** The request line and headers must arrive within this. */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  readonly requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections past this many are refused. */
  readonly maxConnections: number;
}

/**
 * A webhook is at most 1 MiB and senders send it at once: 10 s for the headers and 30 s for the whole request are
 * plenty for them, and a slow client can no longer hold a connection for Node's default five minutes. 256
 * connections are far more than a team's senders open at once.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
};

export interface LocalRelay {
  readonly url: string;
  readonly queue: MemoryQueue;
  readonly standIn?: SpacesStandIn;
  close(): Promise<void>;
}

const LOCAL_STAND_IN_TOKEN = 'local-stand-in-token';
/** The local event source's batching window (the deployed one waits up to `DELIVER_BATCHING_WINDOW_SECONDS`). */
const LOCAL_BATCH_WINDOW_SECONDS = 1;
/** One invocation at a time locally, so deliver takes the whole of the Spaces limits. */
const LOCAL_DELIVER_CONCURRENCY = '1';

/** Sends a JSON answer of the local routes; its body redacted (`redact.ts`), as every answer of the relay is. */
function reply(res: ServerResponse, response: JsonResponse): void {
  const { contentType, body } = answerContent(response);
  res.writeHead(response.statusCode, { 'content-type': contentType, ...response.headers });
  res.end(body);
}

/** Reads a body up to `limit` bytes; `undefined` as soon as it is longer (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * What a refused connection is given after its answer: a little more time and body. Destroying it at once, with body
 * bytes unread, makes the kernel reset the connection, and a reset can discard the answer before the client has read
 * it (or before it has even left). Lingering lets the answer and the end of the connection arrive first; the bounds
 * keep what is read of the body small.
 */
const LINGER = { ms: 2_000, bytes: 64 * 1024 } as const;

/** Ends the socket, then destroys it once the client has closed its side, the linger time has passed, or it sent too much more. */
function lingeringClose(socket: Socket): void {
  socket.end();
  let read = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER.ms).unref();
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER.bytes) socket.destroy();
  });
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Answers without reading the rest of the body, and hangs up. Node reads (and discards) the rest of a request's body
 * to keep its connection for the next request; with `Connection: close` it keeps nothing: it ends the connection once
 * the answer is written, here with a short, bounded linger in place of its immediate destroy.
 */
function refuseUnread(res: ServerResponse, response: JsonResponse): void {
  const socket = res.socket;
  // Node closes a `Connection: close` response's socket through `destroySoon` (or `end` where there is none).
  if (socket) socket.destroySoon = () => lingeringClose(socket);
  reply(res, { ...response, headers: { ...response.headers, connection: 'close' } });
}


/** Why Node could not make a request of what a client sent, as the relay's own refusal. */
function unparsable(error: NodeJS.ErrnoException): HttpError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HeaderFieldsTooLargeError('the request line and headers are larger than the server takes (16 KiB)');
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeoutError('the request did not arrive in time');
  return new BadRequestError(`the request is not well-formed HTTP (${error.code ?? error.message})`);
}

/**
 * Answers what Node's HTTP parser refuses before any route sees it (headers past its limit, a malformed request line,
 * a request too slow to arrive) with the relay's JSON error, where Node would send a bare status line; then closes
 * the connection, as Node does.
 */
function refuseUnparsable(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const { statusCode, body } = errorResponse(unparsable(error));
  // The answer to a HEAD request has no body, even when the request was refused.
  const text = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ' ? '' : JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

/** The record bodies an `/events` request stands for: the bodies of an SQS event's records, or the event itself. */
function eventBodies(body: Buffer): string[] {
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [text];
  }
  const records = (json as { Records?: unknown } | null)?.Records;
  const isSqsRecord = (r: unknown): r is { body: string } =>
    !!r && typeof r === 'object' && (r as { eventSource?: unknown }).eventSource === 'aws:sqs' && typeof (r as { body?: unknown }).body === 'string';
  if (Array.isArray(records) && records.length > 0 && records.every(isSqsRecord)) return records.map((r) => r.body);
  return [text];
}

/** Puts the event on the queue as the stack's wiring would, and answers once deliver has had it. */
async function handleEvents(body: Buffer, queue: MemoryQueue): Promise<JsonResponse> {
  const records = await queue.sendAndWatch(eventBodies(body));
  const dead = records.find((record) => record.outcome === 'dead-lettered');
  if (dead && dead.outcome === 'dead-lettered') {
    return { statusCode: 400, body: { error: 'bad_request', message: dead.reason, records } };
  }
  if (records.some((record) => record.outcome === 'handed-back')) {
    const message = 'deliver handed the event back to the queue (see the log); it will be tried again';
    return { statusCode: 502, body: { error: 'delivery_failed', message, records } };
  }
  return { statusCode: 200, body: { records } };
}

/** The settings variables of both functions, as the stack would set them. */
function settingsEnv(options: LocalRelayOptions, standInUrl: string): Record<string, string | undefined> {
  return {
    CHANNELS: JSON.stringify({ default: LOCAL_SPACE_ID }),
    DELIVER_CONCURRENCY: LOCAL_DELIVER_CONCURRENCY,
    ...options.settings,
    SPACES_API_URL: options.spaces?.baseUrl ?? standInUrl,
    // Deliver's last-receive rule and the local queue's redrive policy must agree, as the stack makes them.
    QUEUE_MAX_RECEIVES: String(options.queue?.maxReceives ?? DELIVER_MAX_RECEIVES),
    // Delivery state is kept as long as deployed: a dead letter redriven days later is not posted again.
    STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
  };
}

export async function startLocalRelay(options: LocalRelayOptions): Promise<LocalRelay> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };
  const server = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node looks for expired requests only this often (30 s by default), which would stretch every timeout.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs / 2),
  });
  server.on('clientError', refuseUnparsable);
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = settingsEnv(options, `${url}${STAND_IN_PREFIX}`);
  const token = options.spaces?.token ?? LOCAL_STAND_IN_TOKEN;
  let ingestSettings, deliverSettings;
  try {
    ingestSettings = readIngestSettings(env);
    deliverSettings = readDeliverSettings(env);
    // Read when first needed, as deployed; checked here too, so that a bad one stops the start, not a delivery.
    parseTokenSecret(token, 'SPACES_TOKEN');
  } catch (error) {
    server.close();
    throw error instanceof CredentialError ? new ConfigError(error.message) : error;
  }

  const fixtures = fixtureCatalog(options.fixtureDirs ?? DEFAULT_FIXTURE_DIRS);
  const standIn = options.spaces
    ? undefined
    : new SpacesStandIn({
        token: LOCAL_STAND_IN_TOKEN,
        publicUrl: () => `${url}${STAND_IN_PREFIX}`,
        fault: options.standInFault,
        limits: options.standInLimits,
        tryPanel: { sources: SOURCES.map((source) => source.name), fixtures: fixtures.fixtures },
      });
  // A message shows within a second locally, where the deployed event source gathers for up to ten.
  const queue = new MemoryQueue({ batchWindowSeconds: LOCAL_BATCH_WINDOW_SECONDS, ...options.queue });
  const ingestDeps = ingestDependencies(ingestSettings, {
    inboundSecret: options.webhookToken === undefined ? undefined : fixedInboundSecret(options.webhookToken),
    enqueue: async (notifications) => void queue.send(notifications.map((n) => JSON.stringify(n))),
  });
  const ingest = createIngestHandler(ingestDeps);
  const deliver = createDeliverHandler(
    deliverDependencies(deliverSettings, {
      tokenSecret: localTokenSecret(token),
      persistence: new MemoryPersistenceLayer(),
      store: new MemoryStateStore(),
      deadLetters: queue.deadLetterQueue,
      visibility: queue,
      s3: options.s3Client ?? createS3Client(deliverSettings.AWS_ENDPOINT_URL),
      tuning: options.tuning,
    }),
  );
  queue.attach((event) => deliver(event, lambdaContext('deliver', DELIVER_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB)));

  /**
   * The local-only routes carry dead letters and deliver events: the inbound secret guards them as it guards hooks,
   * with the same secret and the same check as a sender's bearer token.
   */
  const refuseLocal = async (head: RequestHead): Promise<JsonResponse | undefined> => {
    const secrets = ingestDeps.inboundSecrets;
    if (!secrets) return undefined;
    try {
      await verifySender((secret) => verifySharedSecret(head.headers, secret), secrets);
      return undefined;
    } catch (error) {
      if (error instanceof UnauthorizedError) return errorResponse(error);
      throw error;
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Not `new URL(req.url, base)`: a target such as `//` is a host to it, and no URL at all.
    const path = splitTarget(req.url ?? '/').rawPath;
    if (standIn && (path === STAND_IN_PREFIX || path.startsWith(`${STAND_IN_PREFIX}/`))) {
      if (await standIn.handle(req, res, path.slice(STAND_IN_PREFIX.length) || '/')) return;
    }
    const fixture = `${STAND_IN_PREFIX}/fixtures/`;
    if (req.method === 'GET' && path.startsWith(fixture)) return reply(res, fixtureAnswer(fixtures, path.slice(fixture.length)));
    if (req.method === 'GET' && path === '/healthz') {
      const body = { ok: true, queued: queue.depth, deadLetters: queue.deadLetters.length, counts: countTotals() };
      return reply(res, { statusCode: 200, body });
    }
    if (req.method === 'GET' && path === '/' && standIn) {
      res.writeHead(302, { location: `${STAND_IN_PREFIX}/` });
      return void res.end();
    }
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' };
    // The request as the ingest handler will see it, without its body: what can be decided before the body is read.
    const head: RequestHead = fromApiGateway(apiGatewayEvent({ ...request, body: Buffer.alloc(0) }));
    const local =
      (req.method === 'GET' && path === '/dead-letters') ||
      (req.method === 'POST' && (path === '/dead-letters/redrive' || path === '/events' || path === PREVIEW_PATH));
    const refused = local ? await refuseLocal(head) : await screenWebhook(head, ingestDeps);
    if (refused) return refuseUnread(res, refused);
    // A declared length over the limit is refused before a byte of the body is read.
    if (Number(req.headers['content-length'] ?? 0) > DEFAULT_MAX_BODY_BYTES) return refuseUnread(res, refuseOversizedBody(head));
    const body = await readBody(req, DEFAULT_MAX_BODY_BYTES);
    if (body === undefined) return refuseUnread(res, refuseOversizedBody(head));
    if (req.method === 'GET' && path === '/dead-letters') return reply(res, { statusCode: 200, body: { deadLetters: queue.deadLetters } });
    if (req.method === 'POST' && path === '/dead-letters/redrive') return reply(res, { statusCode: 200, body: { redriven: queue.redrive() } });
    if (req.method === 'POST' && path === '/events') return reply(res, await handleEvents(body, queue));
    if (req.method === 'POST' && path === PREVIEW_PATH) return reply(res, previewAnswer(body, deliverSettings));

    const result = await ingest(apiGatewayEvent({ ...request, body }), lambdaContext('ingest', INGEST_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB));
    res.writeHead(result.statusCode ?? 200, result.headers as http.OutgoingHttpHeaders);
    res.end(result.body);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: Error) => {
      if (res.headersSent) return void res.destroy();
      reply(res, { statusCode: 500, body: { error: 'internal', message: error.message } });
    });
  });

  return {
    url,
    queue,
    standIn,
    close: async () => {
      await queue.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
