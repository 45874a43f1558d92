import type { Attachment } from '../model/message';
import type { OpenedFile } from './opened-file';
import { openS3Object, type S3OpenPolicy } from './s3';
import { withThumbnail } from './thumbnail';
import { downloadAllowedUrl, type UrlFetchPolicy } from './url';

/**
 * URL downloads go through /tmp, so they get a tighter cap than the Spaces file limit: panel screenshots and reports
 * are small, and Lambda's /tmp is 512 MB unless the stack asks for more. S3 objects are streamed and need no such cap.
 */
export const URL_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024;
export const URL_DOWNLOAD_TIMEOUT_MS = 20_000;

/** The team's limits and allowlists, per kind of attachment. */
export interface AttachmentPolicy {
  readonly url: UrlFetchPolicy;
  readonly s3: S3OpenPolicy;
}

function open(attachment: Attachment, policy: AttachmentPolicy): Promise<OpenedFile> {
  switch (attachment.kind) {
    case 'url':
      return downloadAllowedUrl(attachment.url, policy.url, attachment.accept);
    case 's3':
      return openS3Object(attachment, policy.s3);
  }
}

/** Opens attachments by kind, under the team's limits and allowlists; small images get a thumbnail. */
export function attachmentOpener(policy: AttachmentPolicy): (attachment: Attachment) => Promise<OpenedFile> {
  return async (attachment) => withThumbnail(await open(attachment, policy));
}
