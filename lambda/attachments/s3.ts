/**
 * Opens an S3 object as an attachment: HeadObject for its size and type, then — only when the upload starts —
 * GetObject streamed straight into the upload, so memory stays flat whatever the size (1 GB objects included).
 * The GET is pinned to the ETag seen by the HEAD: if the object is replaced in between, the upload fails instead of
 * sending bytes that do not match the declared length.
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

/** An S3 object to attach; `size` is the event's figure, used to skip the HEAD of an object known to be too large. */
export interface S3Attachment extends S3ObjectReference {
  readonly size?: number;
  readonly name?: string;
}

/**
 * The S3 client of deliver. With an endpoint (`AWS_ENDPOINT_URL`: moto_server, MinIO) requests go there path-style,
 * since a local server has no per-bucket host names.
 */
export function createS3Client(endpoint?: string): S3Client {
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
}

/** SDK errors → a reason for the chat; 403/404/412 will not change on a retry, anything else may. */
function s3Failure(error: unknown, what: string): AttachmentError {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 404) return new AttachmentError(`${what} does not exist (any more)`, { cause: error });
  if (status === 403) return new AttachmentError(`the relay may not read ${what} (access denied)`, { cause: error });
  if (status === 412) return new AttachmentError(`${what} was replaced while it was being attached`, { cause: error });
  const detail = (error as Error).name && (error as Error).name !== 'Error' ? (error as Error).name : (error as Error).message;
  return new AttachmentError(`reading ${what} from S3 failed (${detail})`, { cause: error, transient: true });
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
    head = await policy.client.send(new HeadObjectCommand(target));
  } catch (error) {
    throw s3Failure(error, what);
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
        throw s3Failure(error, what);
      }
      if (!(body instanceof Readable)) throw new AttachmentError(`S3 returned no readable body for ${what}`, { transient: true });
      return body;
    },
    dispose: async () => undefined,
  };
}
