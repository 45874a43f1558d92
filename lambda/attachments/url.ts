/**
 * Fetches an allow-listed URL into a temporary file, so that its exact size is known before the upload URL is asked
 * for and a retried upload can read it again. SSRF-safe: https only (http only for hosts listed as http://), no
 * credentials in URLs, every redirect re-checked against the allowlist, every resolved address checked at connect
 * time (private, loopback, link-local, unique-local and reserved ranges refused, IPv4-mapped IPv6 included), size and
 * time capped, HTML answers and unexpected media types refused before any byte is stored.
 */
import { lookup as dnsLookup } from 'node:dns';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes, formatDuration } from '../render/format';
import { mediaType } from '../net/content-type';
import { HttpTransportError, openExchange } from '../net/exchange';
import { allowingRule, isAddressRule, type HostRule } from '../net/host-allowlist';
import { isInternalAddress, isLinkLocalAddress } from '../net/address-policy';
import { publicOnlyLookup, wasRefusedAddress } from '../net/safe-lookup';
import { AttachmentError } from './attachment-error';
import type { OpenedFile } from './opened-file';

export interface UrlFetchPolicy {
  readonly rules: readonly HostRule[];
  readonly maxBytes: number;
  /** The whole fetch, redirects and body included. */
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
  /** The resolver behind the address check; DNS unless a test stands in for it. */
  readonly resolve?: typeof dnsLookup;
}

/** `url` may be fetched under `rules`; `redirected` when a redirect led there, which the reason then says. */
function checkTarget(url: URL, rules: readonly HostRule[], redirected: boolean): void {
  const target = redirected ? `it redirects to ${url.protocol}//${url.host}, which` : `${url.protocol}//${url.host}`;
  // Credentials in a URL would be sent on, and shown in notes and logs.
  if (url.username || url.password) throw new AttachmentError(`${url.host}: URLs with credentials are not fetched`);
  const rule = allowingRule(url, rules);
  if (!rule) {
    const why = url.protocol === 'http:' ? 'plain http is allowed only for hosts listed as http://' : 'not on the allowlist of attachment hosts';
    throw new AttachmentError(url.protocol === 'http:' ? `${target}: ${why}` : `${target} is ${why}`);
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0) {
    if (isLinkLocalAddress(literal)) {
      throw new AttachmentError(`${literal} is a link-local address (the instance metadata range): never fetched`);
    }
    if (!isAddressRule(rule) && isInternalAddress(literal)) {
      throw new AttachmentError(`${literal} is an internal address: fetched only when the allowlist names that address`);
    }
  }
}

/** `20s`, or `500 ms` below a second. */
function timeLimit(ms: number): string {
  return ms < 1000 ? `${ms} ms` : formatDuration(ms);
}

/** Percent-decoding that keeps the text as it is when it is not valid encoding (`100%.png`). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function fileName(url: URL, response: IncomingMessage, contentType: string): string {
  const disposition = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(String(response.headers['content-disposition'] ?? ''));
  let name = decoded(disposition?.[1] ?? basename(url.pathname));
  name = basename(name).replace(/[\u0000-\u001f]/g, '') || 'attachment';
  if (!extname(name)) {
    const subtype = contentType.split('/')[1]?.replace(/\+.*$/, '');
    if (subtype && /^[a-z0-9.-]{1,10}$/.test(subtype)) name += `.${subtype === 'jpeg' ? 'jpg' : subtype}`;
  }
  return name;
}

/** Counts bytes on their way to disk and stops the transfer when the cap is passed. */
function byteCap(maxBytes: number): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      if (counter.bytes > maxBytes) {
        done(new AttachmentError(`the file is larger than the ${formatBytes(maxBytes)} limit for attachments (stopped reading there)`));
      } else done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/** Downloads `address` under `policy`; `accept` is the media type prefix the answer must have (e.g. `image/`). */
export async function downloadAllowedUrl(address: string, policy: UrlFetchPolicy, accept?: string): Promise<OpenedFile> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new AttachmentError('not a valid URL');
  }
  const started = Date.now();
  let response: IncomingMessage | undefined;
  const maxRedirects = policy.maxRedirects ?? 3;
  for (let hop = 0; ; hop += 1) {
    checkTarget(url, policy.rules, hop > 0);
    const remaining = policy.timeoutMs - (Date.now() - started);
    try {
      response = await openExchange({
        method: 'GET',
        url,
        headers: { Accept: accept ? `${accept}*` : '*/*', 'User-Agent': 'spaces-relay' },
        idleTimeoutMs: Math.max(1, remaining),
        deadlineMs: Math.max(1, remaining),
        lookup: publicOnlyLookup(policy.resolve ?? dnsLookup),
      });
    } catch (error) {
      // A refused address is policy; a timeout or a network error may pass.
      if (wasRefusedAddress(error)) {
        throw new AttachmentError(`${(error as Error).message}: never fetched`, { cause: error });
      }
      const why = error instanceof HttpTransportError && error.timedOut ? `no answer within ${timeLimit(policy.timeoutMs)}` : (error as Error).message;
      throw new AttachmentError(`fetching ${url.host} failed: ${why}`, { cause: error, transient: true });
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= maxRedirects) throw new AttachmentError(`it redirects more than ${maxRedirects} times: not followed further`);
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status !== 200) {
      response.resume();
      const text = STATUS_CODES[status];
      throw new AttachmentError(`${url.host} answered HTTP ${status}${text ? ` ${text}` : ''}`, { transient: status === 429 || status >= 500 });
    }
    break;
  }

  const contentType = mediaType(response.headers['content-type']) || 'application/octet-stream';
  const refuse = (reason: string): never => {
    response.destroy();
    throw new AttachmentError(reason);
  };
  if (contentType === 'text/html') refuse(`${url.host} sent an HTML page, not a file (a login page, perhaps)`);
  if (accept && !contentType.startsWith(accept)) refuse(`${url.host} sent ${contentType}, not ${accept}*`);
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > policy.maxBytes) {
    refuse(`the file is ${formatBytes(declared)}, larger than the ${formatBytes(policy.maxBytes)} limit for attachments`);
  }

  const directory = await mkdtemp(join(tmpdir(), 'spaces-relay-'));
  const path = join(directory, 'download');
  const counter = byteCap(policy.maxBytes);
  try {
    await pipeline(response, counter, createWriteStream(path));
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    if (error instanceof AttachmentError) throw error;
    // The exchange counts down what was left after the redirects; the reader wants the limit it configured.
    const reason =
      error instanceof HttpTransportError
        ? error.timedOut
          ? `${url.host} did not send the whole file within ${timeLimit(policy.timeoutMs)}`
          : `the download from ${url.host} broke off: ${error.message}`
        : `the download from ${url.host} failed: ${(error as Error).message}`;
    throw new AttachmentError(reason, { cause: error, transient: true });
  }
  return {
    name: fileName(url, response, contentType),
    contentType,
    size: counter.bytes,
    open: async () => createReadStream(path),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}
