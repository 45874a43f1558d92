/**
 * One HTTP exchange over node:http(s). Not `fetch`: with a stream body, Node's fetch buffers the whole body unless
 * redirects are disabled, and a 1 GB upload must stay at constant memory. Bodies are piped with an exact length.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HttpExchange {
  readonly method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** A Buffer, or a stream of exactly `Content-Length` bytes (the header must be set; the length is enforced). */
  readonly body?: Buffer | Readable;
  /** Fails when the socket stays silent this long (a slow server, a stalled upload). */
  readonly idleTimeoutMs: number;
  /** Fails when the whole exchange takes longer than this. */
  readonly deadlineMs?: number;
  /** Response bodies longer than this are cut; the relay only reads small JSON answers. */
  readonly maxResponseBytes?: number;
  readonly agent?: http.Agent;
  /** Resolver hook: lets the URL fetcher refuse private addresses at connect time. */
  readonly lookup?: LookupFunction;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The network failed or was too slow: no HTTP status to go by. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpTransportError';
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

async function readBody(response: http.IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size < max) chunks.push(chunk.subarray(0, max - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks);
}

/**
 * Passes a body through, failing it if it turns out longer or shorter than declared: a server would otherwise wait
 * for bytes that never come, or store a truncated file. (Node's `strictContentLength` throws outside the pipeline.)
 */
function exactLength(declared: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > declared ? new Error(`body is longer than its Content-Length of ${declared}`) : null, chunk);
    },
    flush(done) {
      done(seen === declared ? null : new Error(`body ended after ${seen} of ${declared} declared bytes`));
    },
  });
}

/**
 * Sends one request and hands over the answer as a stream. The idle and deadline limits keep running while the
 * caller reads it; errors while reading surface as `HttpTransportError` on the stream.
 */
export function openExchange(options: HttpExchange): Promise<http.IncomingMessage> {
  const transport = options.url.protocol === 'https:' ? https : http;
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    let answered = false;
    let answer: http.IncomingMessage | undefined;
    const request = transport.request(options.url, {
      method: options.method,
      headers: options.headers as http.OutgoingHttpHeaders,
      agent: options.agent,
      lookup: options.lookup,
    });
    const fail = (error: HttpTransportError): void => {
      clearTimeout(deadline);
      // Once the answer is being read, its reader must learn why it stopped (not just "aborted").
      answer?.destroy(error);
      request.destroy(error);
      if (!answered) reject(error);
    };
    request.setTimeout(options.idleTimeoutMs, () =>
      fail(new HttpTransportError(`no answer within ${options.idleTimeoutMs} ms`, true)),
    );
    const deadline = options.deadlineMs
      ? setTimeout(() => fail(new HttpTransportError(`not done within ${options.deadlineMs} ms`, true)), options.deadlineMs)
      : undefined;
    request.on('error', (error) => {
      const wrapped = error instanceof HttpTransportError ? error : new HttpTransportError(error.message, false, { cause: error });
      if (!answered) fail(wrapped);
    });
    request.on('response', (response) => {
      answered = true;
      answer = response;
      response.on('end', () => clearTimeout(deadline));
      response.on('close', () => clearTimeout(deadline));
      resolve(response);
    });

    if (options.body instanceof Readable) {
      // A server may answer (and close) before the body is all sent; once it has answered, the answer is what counts.
      const declared = Number(options.headers?.['Content-Length'] ?? options.headers?.['content-length']);
      pipeline(options.body, exactLength(declared), request).catch((error: Error) => {
        if (!answered) fail(new HttpTransportError(`sending the body failed: ${error.message}`, false, { cause: error }));
      });
    } else {
      request.end(options.body);
    }
  });
}

/** Sends one request and reads its (small) answer. Never follows redirects. */
export async function exchange(options: HttpExchange): Promise<HttpResult> {
  const response = await openExchange(options);
  try {
    const body = await readBody(response, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    return { status: response.statusCode ?? 0, headers: response.headers, body };
  } catch (error) {
    if (error instanceof HttpTransportError) throw error;
    throw new HttpTransportError(`answer cut off: ${(error as Error).message}`, false, { cause: error });
  }
}
