/**
 * The Avaya Spaces client: upload URLs, streamed uploads, chat posts, edits, recent messages, and whose credential it
 * is (see DESIGN.md "Avaya Spaces"). Every call retries 429/5xx/network failures with backoff, except a post that may have landed
 * (see `SpacesError.ambiguous`); a 401 re-reads (or renews) the credential once, and a second one is a `CredentialError`;
 * an optional gate keeps calls within the limits.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import * as v from 'valibot';
import type { CredentialProvider } from './credentials';
import { CredentialError, SpacesError, type SpacesOperation } from './errors';
import type { SpacesFileType } from './file-type';
import { exchange, HttpTransportError, type HttpResult } from '../net/exchange';
import { redact } from '../runtime/redact';
import { cutText } from '../runtime/text';
import type { CallGate, LimitedOperation } from './rate-limit';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, withRetry, type RetryHooks, type RetryPolicy } from './retry';

/** A file as the upload needs it: its exact size and type, and a way to (re)open its bytes as a stream. */
export interface UploadableFile {
  readonly contentType: string;
  readonly size: number;
  open(): Promise<Readable>;
}

export interface UploadSlot {
  readonly fileKey: string;
  readonly url: string;
}

/** One entry of a chat message's `data[]`. */
export interface ChatAttachment {
  readonly fileId: string;
  readonly fileSize: number;
  readonly fileType: SpacesFileType;
  readonly name: string;
  readonly provider: 'native';
  readonly providerFileType: string;
  readonly thumbnailFile?: string;
}

export interface ChatContent {
  readonly bodyText: string;
  readonly data?: readonly ChatAttachment[];
}

/** A chat message as `recentMessages` lists it: enough to recognise one of ours. */
export interface ListedMessage {
  readonly id: string;
  readonly bodyText: string;
  /** Epoch milliseconds, when the answer carried a parsable `created`. */
  readonly created?: number;
}

/** The user a credential belongs to, as `currentUser` reads it. */
export interface SpacesUser {
  readonly id: string;
  /** The display name, else the user name, else the id. */
  readonly name: string;
}

export interface SpacesClientOptions {
  /** `https://spacesapis.avayacloud.com`, or a region's or staging host. */
  readonly baseUrl: string;
  readonly credentials: CredentialProvider;
  readonly retry?: RetryPolicy;
  readonly hooks?: RetryHooks;
  /** Per-request limit for the JSON calls. */
  readonly timeoutMs?: number;
  /** Upload stall limit: how long the storage host may stay silent while bytes flow. */
  readonly uploadIdleTimeoutMs?: number;
  /** Paces the API calls (not the uploads, which go to the storage host) and learns from 429s. */
  readonly gate?: CallGate;
}

/** How long a JSON call may stay silent before it is given up (and twice that in all). */
export const DEFAULT_TIMEOUT_MS = 10_000;

const UploadUrlsResponse = v.object({
  data: v.array(v.object({ fileKey: v.pipe(v.string(), v.nonEmpty()), url: v.pipe(v.string(), v.url()) })),
});
const PostedMessage = v.object({ _id: v.pipe(v.string(), v.nonEmpty()) });
/** The API answers `{data: [message]}`; accept a bare message too, as some deployments do. */
const PostResponse = v.union([v.object({ data: v.pipe(v.array(PostedMessage), v.minLength(1)) }), PostedMessage]);
const MessagesResponse = v.object({
  data: v.array(
    v.object({
      _id: v.string(),
      content: v.optional(v.object({ bodyText: v.optional(v.string(), '') }), {}),
      created: v.optional(v.string()),
    }),
  ),
});
/** `GET /api/users/me`, in the fields the public samples read. */
const UserResponse = v.object({
  _id: v.pipe(v.string(), v.nonEmpty()),
  displayname: v.optional(v.string()),
  username: v.optional(v.string()),
});

/**
 * The server's own explanation, if its error body has one, cut short — redacted before it is cut, so that a cut
 * through an echoed token cannot leave a piece of it that no longer matches.
 */
function reasonOf(result: HttpResult): string {
  let reason = '';
  try {
    const body = JSON.parse(result.body.toString('utf8')) as { message?: unknown; error?: unknown };
    reason = String(body.message ?? body.error ?? '');
  } catch {
    reason = result.body.toString('utf8');
  }
  reason = cutText(redact(reason.replace(/\s+/g, ' ').trim()), 200);
  return `HTTP ${result.status}${reason ? ` — ${reason}` : ''}`;
}

function statusError(operation: SpacesOperation, result: HttpResult): SpacesError {
  const retryable = result.status === 429 || result.status >= 500;
  const retryAfter = result.headers['retry-after'];
  return new SpacesError(operation, reasonOf(result), {
    status: result.status,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) : undefined,
    // A gateway that gave up waiting says nothing about whether the post behind it was stored.
    ambiguous: operation === 'post' && (result.status === 502 || result.status === 504),
  });
}

function transportError(operation: SpacesOperation, error: unknown): SpacesError {
  if (error instanceof HttpTransportError) {
    return new SpacesError(operation, error.timedOut ? `timed out (${error.message})` : `network error (${error.message})`, {
      retryable: true,
      // The request may have been read and stored before the connection failed.
      ambiguous: operation === 'post',
      cause: error,
    });
  }
  return new SpacesError(operation, (error as Error).message, { retryable: false, cause: error });
}

export class SpacesClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: SpacesClientOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    // Keep-alive saves a TLS handshake per call; uploads go to another host and use their own connections.
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  /** One call for all files of a message: an upload URL and a file key per file, in order. */
  async getUploadUrls(spaceId: string, files: readonly Pick<UploadableFile, 'contentType' | 'size'>[]): Promise<UploadSlot[]> {
    const body = { files: files.map((f) => ({ 'Content-Type': f.contentType, 'Content-Length': f.size })), topicId: spaceId };
    const result = await this.callJson('getuploadurl', 'POST', 'api/files/getuploadurl', body);
    const parsed = v.safeParse(UploadUrlsResponse, result);
    if (!parsed.success || parsed.output.data.length !== files.length) {
      throw new SpacesError('getuploadurl', `unexpected answer: expected ${files.length} upload URL(s)`, { retryable: false });
    }
    return parsed.output.data;
  }

  /** Streams a file to its upload URL with the declared type and exact length; on a retry the file is opened again. */
  async upload(slot: UploadSlot, file: UploadableFile): Promise<void> {
    await withRetry(
      async () => {
        const body = await file.open();
        let result: HttpResult;
        try {
          result = await exchange({
            method: 'PUT',
            url: new URL(slot.url),
            headers: { 'Content-Type': file.contentType, 'Content-Length': file.size },
            body,
            idleTimeoutMs: this.options.uploadIdleTimeoutMs ?? 60_000,
          });
        } catch (error) {
          body.destroy();
          throw transportError('upload', error);
        }
        if (result.status < 200 || result.status >= 300) {
          // The storage host may refuse before it has read everything: stop reading the source (an S3 socket).
          body.destroy();
          throw statusError('upload', result);
        }
      },
      this.options.retry ?? DEFAULT_RETRY_POLICY,
      this.options.hooks,
    );
  }

  /**
   * Posts a chat message to a space; returns the new message's id. A failure that leaves open whether the message was
   * stored is thrown at once with `ambiguous` set, never retried here: see `recentMessages`.
   */
  async postChat(spaceId: string, content: ChatContent): Promise<string> {
    const result = await this.callJson('post', 'POST', `api/spaces/${encodeURIComponent(spaceId)}/chats`, { content });
    const parsed = v.safeParse(PostResponse, result);
    if (!parsed.success) {
      // The post most likely landed; retrying could show it twice, so this is not retryable.
      throw new SpacesError('post', 'unexpected answer: no message id', { retryable: false });
    }
    return 'data' in parsed.output ? parsed.output.data[0]!._id : parsed.output._id;
  }

  /** Replaces a message's content (used to mark a firing alert's message resolved). */
  async editMessage(messageId: string, content: ChatContent): Promise<void> {
    await this.callJson('edit', 'POST', `api/messages/${encodeURIComponent(messageId)}`, { _id: messageId, content });
  }

  /**
   * The latest chat messages of a space (`GET /api/spaces/{id}/messages/query?category=chat&size=n`, as the public
   * samples use it), to find out whether a post whose answer was lost was stored after all.
   */
  async recentMessages(spaceId: string, size = 50): Promise<ListedMessage[]> {
    const path = `api/spaces/${encodeURIComponent(spaceId)}/messages/query?category=chat&size=${size}`;
    const parsed = v.safeParse(MessagesResponse, await this.callJson('query', 'GET', path));
    if (!parsed.success) throw new SpacesError('query', 'unexpected answer: no message list', { retryable: false });
    return parsed.output.data.map((m) => {
      const created = m.created === undefined ? Number.NaN : Date.parse(m.created);
      return { id: m._id, bodyText: m.content.bodyText, created: Number.isNaN(created) ? undefined : created };
    });
  }

  /** Whose credential this is (`GET /api/users/me`): the cheapest call that proves a credential works, and names it. */
  async currentUser(): Promise<SpacesUser> {
    const parsed = v.safeParse(UserResponse, await this.callJson('user', 'GET', 'api/users/me'));
    if (!parsed.success) throw new SpacesError('user', 'unexpected answer: no user id', { retryable: false });
    const { _id, displayname, username } = parsed.output;
    return { id: _id, name: displayname || username || _id };
  }

  private async callJson(operation: LimitedOperation, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return withRetry(
      async () => {
        let credential = await this.options.credentials.get();
        for (let renewed = false; ; renewed = true) {
          await this.options.gate?.acquire(operation);
          let result: HttpResult;
          try {
            result = await exchange({
              method,
              url: new URL(path, this.base),
              headers: {
                Authorization: `${credential.scheme} ${credential.token}`,
                Accept: 'application/json',
                ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
              },
              body: payload,
              idleTimeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
              deadlineMs: (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 2,
              agent: this.agent,
            });
          } catch (error) {
            throw transportError(operation, error);
          }
          if (result.status === 401) {
            // Refused after a re-read or renewal: the credential itself is bad, for every message alike.
            if (renewed) {
              throw new CredentialError('token-refused', `Spaces refused it (${reasonOf(result)} on ${operation}) even after it was re-read or renewed`);
            }
            // The token may have been rotated or expired since it was cached: re-read it (renew an access token), once.
            credential = await this.options.credentials.refresh(credential);
            continue;
          }
          if (result.status < 200 || result.status >= 300) {
            const error = statusError(operation, result);
            if (result.status === 429) this.options.gate?.throttled(operation, error.retryAfterMs);
            throw error;
          }
          try {
            return result.body.length > 0 ? (JSON.parse(result.body.toString('utf8')) as unknown) : {};
          } catch (error) {
            throw new SpacesError(operation, 'answer is not JSON', { status: result.status, retryable: false, cause: error });
          }
        }
      },
      this.options.retry ?? DEFAULT_RETRY_POLICY,
      this.options.hooks,
    );
  }
}
