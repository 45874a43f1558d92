/**
 * A stand-in for the Avaya Spaces API that enforces its contract (DESIGN.md "Avaya Spaces"): the Authorization header,
 * one upload URL per declared file, PUTs with exactly the declared type and length, chat posts that reference only
 * stored files, and — when given `limits` — the per-user rate limits, answering 429 with `Retry-After` past them.
 * Given `oauth`, it is also the OAuth2 issuer (`POST {prefix}/oauth2/access_token`): refresh grants for short-lived
 * access tokens, each refresh rotating the refresh token, and the API takes only access tokens it issued that have
 * not expired; without it, the API takes one fixed token.
 * `npm start` mounts it when no real Spaces is configured; the tests run it with injected faults and scaled-down
 * limit windows. It keeps the messages and shows them: JSON at `{prefix}/messages`, a page at `{prefix}/`
 * (`stand-in-page.ts`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import type { SpacesLimits, WindowLimit } from '../spaces/rate-limit';
import { messageCards, PAGE_POLICY, pageScript, standInPage, type PageMessage, type TryPanel } from './stand-in-page';

/** What a fault hook may do to a call instead of (or before) answering it. */
export type Fault =
  | {
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: unknown;
      /** Answer with a body that quotes the request's `Authorization` header, as a careless server's error may. */
      readonly echoAuthorization?: boolean;
    }
  | { readonly reset: true }
  | { readonly delayMs: number }
  /** Handle the call normally, then drop the connection: the caller cannot know it succeeded. */
  | { readonly dropAfterHandling: true };

export type StandInOperation = 'getuploadurl' | 'upload' | 'post' | 'edit' | 'query' | 'user' | 'token';

/** The stand-in as an OAuth2 issuer of refresh grants, as the Spaces identity host is. */
export interface StandInOAuth {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The refresh token the grant starts with. */
  readonly refreshToken: string;
  /** How long an access token lasts, in seconds (Spaces: 3599). */
  readonly accessTokenSeconds?: number;
}

export interface StoredFile {
  readonly fileKey: string;
  readonly spaceId: string;
  readonly contentType: string;
  readonly declaredSize: number;
  receivedSize?: number;
  sha256?: string;
  /** Kept only for small files, so the page can show pictures without holding gigabytes. */
  bytes?: Buffer;
}

export interface StoredMessage {
  readonly _id: string;
  readonly spaceId: string;
  bodyText: string;
  readonly data: readonly Record<string, unknown>[];
  readonly created: string;
  edits: number;
}

export interface StandInOptions {
  /**
   * The credential it expects, as `<scheme> <token>` (scheme compared case-insensitively), unless `oauth` is given:
   * then it takes `bearer` access tokens it issued, until they expire.
   */
  readonly token: string;
  readonly scheme?: string;
  /** Where the stand-in is reachable, e.g. `http://127.0.0.1:3000/stand-in`, used to build upload URLs. */
  readonly publicUrl: () => string;
  /** Called on every call before it is handled; a returned fault replaces or delays the answer. */
  readonly fault?: (operation: StandInOperation, request: IncomingMessage) => Fault | undefined;
  /** Files up to this size are kept in memory for display. */
  readonly keepBytesUpTo?: number;
  /** Enforce these limits (uploads to the storage URLs are not counted, as with the real storage host). */
  readonly limits?: SpacesLimits;
  /** Be the OAuth2 issuer too, and take only the access tokens it issues. */
  readonly oauth?: StandInOAuth;
  /** Who the credential belongs to, as `GET /api/users/me` answers (default {@link STAND_IN_USER}). */
  readonly user?: StandInUser;
  /** The sources and fixtures the page's "try a payload" panel offers; none when absent. */
  readonly tryPanel?: TryPanel;
}

/** The user `GET /api/users/me` names, in the fields the public samples read. */
export interface StandInUser {
  readonly _id: string;
  readonly displayname: string;
  readonly username: string;
}

/** The stand-in's own user. */
const STAND_IN_USER: StandInUser = { _id: '5f0000000000000000000001', displayname: 'Relay Bot', username: 'relay-bot@example.com' };

/** The page shows this many of the latest messages: enough for any storm's digests, few enough to stay quick. */
const PAGE_MESSAGES = 200;

const UploadRequest = v.object({
  files: v.pipe(
    v.array(v.object({ 'Content-Type': v.pipe(v.string(), v.nonEmpty()), 'Content-Length': v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024 ** 3)) })),
    v.minLength(1),
  ),
  topicId: v.optional(v.string()),
});
const ChatAttachment = v.object({
  fileId: v.string(),
  fileSize: v.number(),
  fileType: v.picklist(['image', 'video', 'audio', 'document']),
  name: v.string(),
  provider: v.literal('native'),
  providerFileType: v.string(),
  thumbnailFile: v.optional(v.string()),
});
const ChatRequest = v.object({
  content: v.object({ bodyText: v.string(), data: v.optional(v.array(ChatAttachment), []) }),
});
const EditRequest = v.object({ _id: v.optional(v.string()), content: v.object({ bodyText: v.string() }) });

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readText(req));
  } catch {
    return undefined;
  }
}

/**
 * An error body quoting the request's credential in every form a server might: the bare token, the header as JSON and
 * as a header line — and the header again in a field of its own, as a debugging echo of the request would.
 */
function echoedAuthorization(req: IncomingMessage): unknown {
  const header = req.headers.authorization ?? '';
  const token = header.slice(header.indexOf(' ') + 1);
  return {
    message: `credential ${token} is not allowed here; request {"authorization": "${header}"}; Authorization: ${header}`,
    request: { headers: { authorization: header } },
  };
}

/** A call as the stand-in saw it: when, what, and how it was answered (undefined: the connection was dropped). */
export interface StandInCall {
  readonly operation: StandInOperation;
  readonly path: string;
  readonly at: number;
  status?: number;
}

/** The value of a `Retry-After` header: whole seconds as HTTP has it, fractions when the windows are scaled below that. */
function retryAfterValue(ms: number): string {
  return ms >= 1000 ? String(Math.ceil(ms / 1000)) : (Math.max(ms, 1) / 1000).toFixed(3);
}

/** Served calls within one window, to answer 429 past the limit. */
class WindowCounter {
  private readonly times: number[] = [];

  constructor(private readonly window: WindowLimit) {}

  /** Milliseconds until one more call would be within the limit; 0 if it is now. */
  waitMs(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.window.windowMs) this.times.shift();
    return this.times.length < this.window.limit ? 0 : this.times[0]! + this.window.windowMs - now;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

export class SpacesStandIn {
  readonly messages: StoredMessage[] = [];
  readonly files = new Map<string, StoredFile>();
  /** Every call as it arrived, for tests that count attempts. */
  readonly calls: StandInCall[] = [];
  /** Calls answered 429 because a limit was exceeded (not injected faults). */
  rateLimited = 0;
  /** Every access and refresh token the issuer handed out, so that a test can look for them where they must not be. */
  readonly issued: string[] = [];
  private readonly windows = new Map<string, WindowCounter>();
  /** The refresh tokens that may still be used (each only once). */
  private readonly refreshTokens = new Set<string>();
  /** Issued access tokens and when they expire (epoch ms). */
  private readonly accessTokens = new Map<string, number>();

  constructor(private readonly options: StandInOptions) {
    if (options.oauth) this.refreshTokens.add(options.oauth.refreshToken);
  }

  /** The refresh tokens the issuer would still accept. */
  get validRefreshTokens(): string[] {
    return [...this.refreshTokens];
  }

  /** Every access token issued so far expires now (as if an hour had passed). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
  }

  /** The user revoked the grant: its refresh tokens and access tokens are refused from now on. */
  revokeGrant(): void {
    this.refreshTokens.clear();
    this.expireAccessTokens();
  }

  /** Handles a request whose path (below the mount prefix) is `path`; false if the path is not the stand-in's. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    const query = /^\/api\/spaces\/([^/]+)\/messages\/query$/.exec(path);
    const me = path === '/api/users/me';
    if (method === 'GET' && !query && !me) {
      const file = /^\/files\/([\w-]+)$/.exec(path);
      if (path === '/' || path === '') this.page(res);
      else if (path === '/messages') send(res, 200, { messages: this.messages });
      else if (path === '/cards') send(res, 200, { version: this.version, html: messageCards(this.pageMessages()) });
      else if (path === '/page.js') this.script(res);
      else if (file) this.serveFile(res, file[1]!);
      else return false;
      return true;
    }

    const upload = /^\/upload\/([\w-]+)$/.exec(path);
    const chat = /^\/api\/spaces\/([^/]+)\/chats$/.exec(path);
    const edit = /^\/api\/messages\/([^/]+)$/.exec(path);
    let operation: StandInOperation;
    if (method === 'POST' && path === '/api/files/getuploadurl') operation = 'getuploadurl';
    else if (method === 'PUT' && upload) operation = 'upload';
    else if (method === 'POST' && chat) operation = 'post';
    else if (method === 'POST' && edit) operation = 'edit';
    else if (method === 'GET' && query) operation = 'query';
    else if (method === 'GET' && me) operation = 'user';
    else if (method === 'POST' && path === '/oauth2/access_token') operation = 'token';
    else return false;

    const call: StandInCall = { operation, path, at: Date.now() };
    this.calls.push(call);
    const answer = (status: number, body: unknown, headers?: Record<string, string>): void => {
      call.status = status;
      send(res, status, body, headers);
    };

    const fault = this.options.fault?.(operation, req);
    if (fault && 'reset' in fault) {
      req.socket.destroy();
      return true;
    }
    if (fault && 'delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault && 'status' in fault) {
      req.resume();
      const body = fault.echoAuthorization ? echoedAuthorization(req) : (fault.body ?? { message: `injected ${fault.status}` });
      answer(fault.status, body, fault.headers);
      return true;
    }
    const respond =
      fault && 'dropAfterHandling' in fault
        ? (status: number): void => {
            call.status = status;
            req.socket.destroy();
          }
        : answer;

    if (operation === 'token') {
      await this.token(req, respond);
      return true;
    }
    if (operation !== 'upload' && !this.authorized(req)) {
      req.resume();
      answer(401, { message: 'missing or wrong Authorization' });
      return true;
    }
    const waitMs = operation === 'upload' ? 0 : this.rateLimitWait(operation);
    if (waitMs > 0) {
      this.rateLimited += 1;
      req.resume();
      answer(429, { message: 'rate limit exceeded' }, { 'retry-after': retryAfterValue(waitMs) });
      return true;
    }
    switch (operation) {
      case 'getuploadurl':
        await this.getUploadUrl(req, respond);
        break;
      case 'upload':
        await this.receiveUpload(req, upload![1]!, respond);
        break;
      case 'post':
        await this.post(req, decodeURIComponent(chat![1]!), respond);
        break;
      case 'edit':
        await this.edit(req, decodeURIComponent(edit![1]!), respond);
        break;
      case 'query':
        this.query(new URL(req.url ?? '/', 'http://stand-in'), decodeURIComponent(query![1]!), respond);
        break;
      case 'user':
        respond(200, this.options.user ?? STAND_IN_USER);
        break;
    }
    return true;
  }

  /** 0 when the call is within every limit (and is then counted), else how long the caller must wait. */
  private rateLimitWait(operation: Exclude<StandInOperation, 'upload' | 'token'>): number {
    const limits = this.options.limits;
    if (!limits) return 0;
    const counter = (key: string, window: WindowLimit): WindowCounter => {
      let found = this.windows.get(key);
      if (!found) this.windows.set(key, (found = new WindowCounter(window)));
      return found;
    };
    const counters = [
      counter(operation, operation === 'getuploadurl' ? limits.getUploadUrl : limits.perEndpoint),
      counter('overall', limits.overall),
    ];
    const now = Date.now();
    const waitMs = Math.max(...counters.map((c) => c.waitMs(now)));
    if (waitMs === 0) for (const c of counters) c.add(now);
    return waitMs;
  }

  /** The latest chat messages of a space, newest first, in the shape the public samples read. */
  private query(url: URL, spaceId: string, answer: (s: number, b: unknown) => void): void {
    const size = Math.min(Math.max(Number(url.searchParams.get('size') ?? '50') || 50, 1), 100);
    const data = this.messages
      .filter((m) => m.spaceId === spaceId)
      .slice(-size)
      .reverse()
      .map((m) => ({ _id: m._id, category: 'chat', topicId: m.spaceId, content: { bodyText: m.bodyText, data: m.data }, created: m.created }));
    answer(200, { total: data.length, data });
  }

  private authorized(req: IncomingMessage): boolean {
    const [scheme = '', ...rest] = (req.headers.authorization ?? '').split(' ');
    const token = rest.join(' ');
    if (this.options.oauth) return scheme.toLowerCase() === 'bearer' && Date.now() < (this.accessTokens.get(token) ?? 0);
    return scheme.toLowerCase() === (this.options.scheme ?? 'bearer') && token === this.options.token;
  }

  /** The refresh-token grant (RFC 6749 §6), answered as the Spaces identity host answers it. */
  private async token(req: IncomingMessage, answer: (s: number, b: unknown) => void): Promise<void> {
    const { oauth } = this.options;
    if (!oauth) {
      req.resume();
      return answer(404, { error: 'not_found', error_description: 'this stand-in is not an OAuth issuer' });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      req.resume();
      return answer(400, { error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' });
    }
    const form = new URLSearchParams(await readText(req));
    if (form.get('grant_type') !== 'refresh_token') return answer(400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== oauth.clientId || form.get('client_secret') !== oauth.clientSecret) {
      return answer(401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    }
    // Each refresh token works once: the answer carries its successor.
    if (!this.refreshTokens.delete(form.get('refresh_token') ?? '')) {
      return answer(400, { error: 'invalid_grant', error_description: 'the refresh token is invalid, revoked or already used' });
    }
    const seconds = oauth.accessTokenSeconds ?? 3599;
    const accessToken = `stand-in-access-${randomUUID()}`;
    const refreshToken = `stand-in-refresh-${randomUUID()}`;
    this.accessTokens.set(accessToken, Date.now() + seconds * 1000);
    this.refreshTokens.add(refreshToken);
    this.issued.push(accessToken, refreshToken);
    answer(200, { access_token: accessToken, token_type: 'Bearer', expires_in: seconds, refresh_token: refreshToken, scope: 'spaces' });
  }

  private async getUploadUrl(req: IncomingMessage, answer: (s: number, b: unknown) => void): Promise<void> {
    const parsed = v.safeParse(UploadRequest, await readJson(req));
    if (!parsed.success) return answer(400, { message: 'body must be {files: [{"Content-Type", "Content-Length"}], topicId}' });
    const data = parsed.output.files.map((declared) => {
      const fileKey = randomUUID();
      this.files.set(fileKey, {
        fileKey,
        spaceId: parsed.output.topicId ?? '',
        contentType: declared['Content-Type'],
        declaredSize: declared['Content-Length'],
      });
      return { fileKey, url: `${this.options.publicUrl()}/upload/${fileKey}` };
    });
    answer(200, { data });
  }

  private async receiveUpload(req: IncomingMessage, fileKey: string, answer: (s: number, b: unknown) => void): Promise<void> {
    const file = this.files.get(fileKey);
    const problem = !file
      ? 'unknown upload URL'
      : req.headers['content-type'] !== file.contentType
        ? `Content-Type ${String(req.headers['content-type'])} differs from the declared ${file.contentType}`
        : Number(req.headers['content-length']) !== file.declaredSize
          ? `Content-Length ${String(req.headers['content-length'])} differs from the declared ${file.declaredSize}`
          : undefined;
    if (problem || !file) {
      req.resume();
      return answer(400, { message: problem });
    }
    const hash = createHash('sha256');
    const keep = file.declaredSize <= (this.options.keepBytesUpTo ?? 8 * 1024 * 1024);
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (keep) kept.push(chunk);
    }
    if (size !== file.declaredSize) return answer(400, { message: `received ${size} bytes, declared ${file.declaredSize}` });
    file.receivedSize = size;
    file.sha256 = hash.digest('hex');
    if (keep) file.bytes = Buffer.concat(kept);
    answer(200, {});
  }

  private async post(req: IncomingMessage, spaceId: string, answer: (s: number, b: unknown) => void): Promise<void> {
    const parsed = v.safeParse(ChatRequest, await readJson(req));
    if (!parsed.success) return answer(400, { message: 'body must be {content: {bodyText, data?}}' });
    for (const entry of parsed.output.content.data) {
      const file = this.files.get(entry.fileId);
      if (!file || file.receivedSize === undefined) return answer(400, { message: `file ${entry.fileId} was never uploaded` });
      if (file.receivedSize !== entry.fileSize) return answer(400, { message: `fileSize of ${entry.fileId} is wrong` });
    }
    const message: StoredMessage = {
      _id: randomUUID().replace(/-/g, '').slice(0, 24),
      spaceId,
      bodyText: parsed.output.content.bodyText,
      data: parsed.output.content.data,
      created: new Date().toISOString(),
      edits: 0,
    };
    this.messages.push(message);
    answer(200, { data: [{ ...message, content: { bodyText: message.bodyText, data: message.data }, topicId: spaceId }] });
  }

  private async edit(req: IncomingMessage, id: string, answer: (s: number, b: unknown) => void): Promise<void> {
    const parsed = v.safeParse(EditRequest, await readJson(req));
    if (!parsed.success) return answer(400, { message: 'body must be {_id, content: {bodyText}}' });
    const message = this.messages.find((m) => m._id === id);
    if (!message) return answer(404, { message: `no message ${id}` });
    message.bodyText = parsed.output.content.bodyText;
    message.edits += 1;
    answer(200, { data: [message] });
  }

  private serveFile(res: ServerResponse, fileKey: string): void {
    const file = this.files.get(fileKey);
    if (!file?.bytes) return send(res, 404, { message: 'not kept' });
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
    res.end(file.bytes);
  }

  /** The messages as the page shows them, with the URLs of their files. */
  private pageMessages(): PageMessage[] {
    const base = this.options.publicUrl();
    const url = (fileKey: string): string => `${base}/files/${encodeURIComponent(fileKey)}`;
    return this.messages.slice(-PAGE_MESSAGES).map((m) => ({
      created: m.created,
      spaceId: m.spaceId,
      bodyText: m.bodyText,
      edits: m.edits,
      files: m.data.map((d) => ({
        url: url(String(d.fileId)),
        name: String(d.name),
        size: Number(d.fileSize),
        fileType: String(d.fileType),
        ...(typeof d.thumbnailFile === 'string' ? { thumbnailUrl: url(d.thumbnailFile) } : {}),
      })),
    }));
  }

  /** Changes whenever the page would: a message posted or edited. */
  private get version(): string {
    return `${this.messages.length}.${this.messages.reduce((sum, m) => sum + m.edits, 0)}`;
  }

  /** The messages as a person reads them, as Spaces would show them (see `stand-in-page.ts`). */
  private page(res: ServerResponse): void {
    const panel = this.options.tryPanel ?? { sources: [], fixtures: [] };
    const html = standInPage(this.options.publicUrl(), messageCards(this.pageMessages()), this.version, panel);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_POLICY });
    res.end(html);
  }

  private script(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(pageScript());
  }
}
