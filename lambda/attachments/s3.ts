/**
 * Opens an S3 object as an attachment: HeadObject for its size and type, then — only when the upload starts —
 * GetObject streamed straight into the upload, so memory stays flat whatever the size (1 GB objects included).
 * The HEAD is pinned to the ETag the event reported, so an object overwritten since is not posted as the one the
 * event announced; the GET is pinned to the ETag seen by the HEAD: if the object is replaced in between, the upload
 * fails instead of sending bytes that do not match the declared length. A failure names its cause (missing object or
 * version, access or KMS key refused, changed object, throttling), as far as S3 tells it.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { formatBytes } from '../render/format';
import { AttachmentError } from './attachment-error';
import { contentTypeFor } from './media-type';
import type { OpenedFile } from './opened-file';
import { s3ConsoleUrl, type S3ObjectReference } from '../model/s3-reference';

export interface S3OpenPolicy {
  readonly client: S3Client;
  /** Buckets whose objects may be attached (`S3_BUCKETS` names and `ATTACHMENT_S3_BUCKETS`). */
  readonly buckets: ReadonlySet<string>;
  /** Larger objects are not uploaded; the message links to them instead (`ATTACHMENT_MAX_BYTES`). */
  readonly maxBytes: number;
}

/**
 * An S3 object to attach; `size` is the event's figure, used to skip the HEAD of an object known to be too large, and
 * `etag` the event's ETag, which the object must still have.
 */
export interface S3Attachment extends S3ObjectReference {
  readonly size?: number;
  readonly etag?: string;
  readonly name?: string;
}

/**
 * The S3 client of deliver. With an endpoint (`AWS_ENDPOINT_URL`: moto_server, MinIO) requests go there path-style,
 * since a local server has no per-bucket host names.
 */
export function createS3Client(endpoint?: string): S3Client {
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
}

/** What S3 answered, as far as the SDK error tells it. */
interface S3Answer {
  /** The HTTP status; none when S3 was not reached. */
  readonly status?: number;
  /**
   * S3's error code (`NoSuchKey`, `AccessDenied`, `SlowDown`, `KMS.DisabledException`…), from the error body. A HEAD
   * answer has no body, so HeadObject errors have none: the SDK then names them `NotFound` or `Unknown`, which says
   * nothing the status does not, and the cause is told from the status alone.
   */
  readonly code?: string;
  readonly message: string;
  /** S3 says the object's current version is a delete marker (`x-amz-delete-marker`). */
  readonly deleteMarker: boolean;
}

/** The names the SDK gives an error whose answer had no code: they say nothing the status does not. */
const NAMES_WITHOUT_CODE = new Set(['Unknown', 'NotFound', 'Error', 'S3ServiceException']);

function answerOf(error: unknown): S3Answer {
  const e = error as {
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
    Code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const named = typeof e.name === 'string' && !NAMES_WITHOUT_CODE.has(e.name) && !/^\d+$/.test(e.name) ? e.name : undefined;
  return {
    status: e.$metadata?.httpStatusCode,
    code: typeof e.Code === 'string' ? e.Code : named,
    message: typeof e.message === 'string' ? e.message : String(error),
    deleteMarker: e.$response?.headers?.['x-amz-delete-marker'] === 'true',
  };
}

/** Which request failed: the HEAD pinned to the event's ETag, or the GET pinned to the ETag the HEAD saw. */
type S3Step = 'head' | 'get';

/**
 * An S3 error → a reason a person understands, naming the cause. Only throttling, S3's own failures and an S3 that
 * cannot be reached may pass on a later attempt; a missing object, a refusal or a changed object will not.
 */
function s3Failure(error: unknown, ref: S3Attachment, step: S3Step): AttachmentError {
  const what = `s3://${ref.bucket}/${ref.key}`;
  const { status, code, message, deleteMarker } = answerOf(error);
  const reason = (text: string, transient = false): AttachmentError => new AttachmentError(text, { cause: error, transient });
  const said = code ? ` (${code})` : '';
  if (status === undefined) return reason(`reading ${what} failed before S3 answered: ${message}`, true);
  if (status === 503 || code === 'SlowDown' || /throttl/i.test(code ?? '')) {
    return reason(`S3 asked the relay to slow down (${code ?? 'HTTP 503'}): ${what} was not read this time`, true);
  }
  // S3 reports a KMS refusal under its own codes (`KMS.…`) or as AccessDenied naming the KMS action.
  if (code?.startsWith('KMS.') || /\bkms:|\bKMS\b/.test(message)) {
    return reason(
      `${what} is encrypted with a KMS key the relay may not use${said}: name the key as the bucket's kmsKeyArn in the team config, and let its key policy allow the relay`,
    );
  }
  if (status === 404 && code === 'NoSuchBucket') return reason(`bucket ${ref.bucket} does not exist`);
  if (status === 404 && (ref.versionId || code === 'NoSuchVersion')) {
    return reason(`version ${ref.versionId} of ${what} no longer exists: it was deleted after the event`);
  }
  if (status === 404 && deleteMarker) return reason(`${what} was deleted after the event`);
  if (status === 404) return reason(`${what} does not exist (any more)`);
  if (status === 405 && ref.versionId) return reason(`version ${ref.versionId} of ${what} is a delete marker: the object was deleted`);
  if (status === 403) {
    // Without s3:ListBucket (the stack grants none) S3 answers a missing key with 403 too.
    return reason(`the relay may not read ${what} (access denied${said}): its role is not allowed this key, or the object no longer exists`);
  }
  if (status === 412) {
    return reason(
      step === 'head'
        ? `${what} changed since the event (its ETag is no longer the one the event reported): a newer upload replaced it`
        : `${what} was replaced while it was being attached`,
    );
  }
  if (status >= 500) return reason(`S3 failed to read ${what} (HTTP ${status}${code ? ` ${code}` : ''})`, true);
  return reason(`S3 refused to read ${what} (HTTP ${status}${code ? ` ${code}` : ''})`);
}

/** `If-Match` wants the quoted form; S3 events give the ETag bare. */
function quotedEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

async function tooLarge(ref: S3Attachment, size: number, policy: S3OpenPolicy): Promise<AttachmentError> {
  const region = await policy.client.config.region().catch(() => undefined);
  return new AttachmentError(
    `${formatBytes(size)} is larger than the ${formatBytes(policy.maxBytes)} limit for attachments, so it is not attached`,
    { link: { label: 'Open in the S3 console', url: s3ConsoleUrl(ref, region) } },
  );
}

/** Checks the object and returns it ready to stream; refusals and failures are `AttachmentError`s. */
export async function openS3Object(ref: S3Attachment, policy: S3OpenPolicy): Promise<OpenedFile> {
  const what = `s3://${ref.bucket}/${ref.key}`;
  if (!policy.buckets.has(ref.bucket)) {
    throw new AttachmentError(`bucket ${ref.bucket} is not one the relay may read (S3_BUCKETS, ATTACHMENT_S3_BUCKETS)`);
  }
  if (ref.size !== undefined && ref.size > policy.maxBytes) throw await tooLarge(ref, ref.size, policy);

  const target = { Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId };
  let head;
  try {
    head = await policy.client.send(new HeadObjectCommand({ ...target, IfMatch: ref.etag && quotedEtag(ref.etag) }));
  } catch (error) {
    throw s3Failure(error, ref, 'head');
  }
  const size = head.ContentLength ?? 0;
  if (size === 0) throw new AttachmentError('the object is empty (0 bytes): there is nothing to attach');
  if (size > policy.maxBytes) throw await tooLarge(ref, size, policy);

  const name = ref.name ?? posix.basename(ref.key);
  return {
    name,
    size,
    contentType: contentTypeFor(name, head.ContentType),
    open: async () => {
      let body: unknown;
      try {
        ({ Body: body } = await policy.client.send(new GetObjectCommand({ ...target, IfMatch: head.ETag })));
      } catch (error) {
        throw s3Failure(error, ref, 'get');
      }
      if (!(body instanceof Readable)) throw new AttachmentError(`S3 returned no readable body for ${what}`, { transient: true });
      return body;
    },
    dispose: async () => undefined,
  };
}
