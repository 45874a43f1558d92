import type { Attachment } from '../message';
import type { OpenedFile } from './opened-file';
import { downloadAllowedUrl, type UrlFetchPolicy } from './url';

/**
 * URL downloads go through /tmp, so they get a tighter cap than the Spaces file limit: panel screenshots and reports
 * are small, and Lambda's /tmp is 512 MB unless the stack asks for more.
 */
export const URL_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024;
export const URL_DOWNLOAD_TIMEOUT_MS = 20_000;

/** Opens attachments by kind, under the team's limits and allowlist. */
export function attachmentOpener(policy: UrlFetchPolicy): (attachment: Attachment) => Promise<OpenedFile> {
  return async (attachment) => {
    switch (attachment.kind) {
      case 'url':
        return downloadAllowedUrl(attachment.url, policy, attachment.accept);
    }
  };
}
