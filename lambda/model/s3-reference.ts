/**
 * S3 objects named in text: `s3://bucket/key` and the HTTPS URLs of the S3 API, virtual-hosted
 * (`bucket.s3.eu-west-1.amazonaws.com/key`) and path-style (`s3.eu-west-1.amazonaws.com/bucket/key`), plus the
 * console link the relay gives for an object it does not attach.
 */
import * as v from 'valibot';

/** An object as an alert or a message names it: the key is the real key, not an encoding of it. */
export interface S3ObjectReference {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An S3 bucket name as S3 allows it (3–63 characters: lower-case letters, digits, dots, hyphens). */
export const BucketNameSchema = v.pipe(
  v.string(),
  v.regex(BUCKET, 'must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)'),
);
/** `s3.amazonaws.com`, `s3.eu-west-1.amazonaws.com`, `s3-eu-west-1.amazonaws.com`, `s3.dualstack.…`, China's `.com.cn`. */
const S3_HOST = /^(?:(.+)\.)?s3(?:[.-](?:dualstack\.)?([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/;
/** Candidates in free text: stops at white space, quotes, angle brackets and a closing parenthesis (Markdown links). */
const CANDIDATE = /\b(?:s3|https):\/\/[^\s"'<>()]+/g;

function reference(bucket: string, key: string, versionId?: string | null): S3ObjectReference | undefined {
  if (!BUCKET.test(bucket) || key === '' || key.endsWith('/')) return undefined;
  return versionId ? { bucket, key, versionId } : { bucket, key };
}

function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** The object a `s3://` or S3 HTTPS URL points at; undefined for anything else (other hosts, buckets, folders). */
export function parseS3Reference(text: string): S3ObjectReference | undefined {
  // `s3://` URIs (the AWS CLI's) carry the key as written, spaces and all, so they are not parsed as URLs.
  const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
  if (uri) return reference(uri[1]!, uri[2]!);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = S3_HOST.exec(url.hostname.toLowerCase());
  if (url.protocol !== 'https:' || !host || host[2] === 'website' || host[2]?.startsWith('website-')) return undefined;
  const path = decodePath(url.pathname.slice(1));
  if (path === undefined) return undefined;
  const versionId = url.searchParams.get('versionId');
  if (host[1]) return reference(host[1], path, versionId);
  const slash = path.indexOf('/');
  return slash > 0 ? reference(path.slice(0, slash), path.slice(slash + 1), versionId) : undefined;
}

/** Every S3 object named in `text`, in order, each once. Trailing punctuation of a sentence is not part of a URL. */
export function findS3References(text: string): S3ObjectReference[] {
  const found = new Map<string, S3ObjectReference>();
  for (const match of text.matchAll(CANDIDATE)) {
    const ref = parseS3Reference(match[0].replace(/[.,;:!?]+$/, ''));
    if (ref) found.set(`${ref.bucket}/${ref.key}#${ref.versionId ?? ''}`, ref);
  }
  return [...found.values()];
}

/** The S3 console page of an object, where a reader with access can open or download it. */
export function s3ConsoleUrl(ref: S3ObjectReference, region?: string): string {
  const query = new URLSearchParams();
  if (region) query.set('region', region);
  query.set('prefix', ref.key);
  if (ref.versionId) query.set('versionId', ref.versionId);
  return `https://s3.console.aws.amazon.com/s3/object/${encodeURIComponent(ref.bucket)}?${query.toString()}`;
}
