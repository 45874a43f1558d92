/**
 * Deliver's logic, free of Lambda: one queued notification → files uploaded → message(s) posted.
 * A file that cannot be attached does not hold back the text: the message says which file is missing and why —
 * unless the team chose `ATTACHMENT_FAILURE=retry`, where a failure that may pass fails the whole notification so
 * that the queue delivers it again later (refusals by policy, such as a file over the size limit, still become notes).
 */
import { posix } from 'node:path';
import { AttachmentError } from './attachments/attachment-error';
import type { OpenedFile } from './attachments/opened-file';
import { mapLimit } from './concurrency';
import type { AttachmentFailureMode } from './config';
import { logger } from './logger';
import type { Attachment } from './message';
import type { QueuedNotification } from './notification';
import { renderMessage, type RenderNote } from './render';
import type { ChatAttachment, SpacesClient, UploadableFile } from './spaces/client';
import { SpacesError } from './spaces/errors';
import { fileTypeOf } from './spaces/file-type';

/** A notification that can never be delivered as it is (an unknown channel): retrying will not help. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** With `ATTACHMENT_FAILURE=retry`: a file could not be attached for a reason that may pass, so nothing was posted. */
export class AttachmentFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttachmentFailedError';
  }
}

export interface DeliveryDependencies {
  readonly spaces: Pick<SpacesClient, 'getUploadUrls' | 'upload' | 'postChat'>;
  /** Channel name → Spaces space id. */
  readonly channels: Readonly<Record<string, string>>;
  readonly openAttachment: (attachment: Attachment) => Promise<OpenedFile>;
  /** Uploads in flight at once for one message. */
  readonly uploadConcurrency?: number;
  /** `note` (default): post the text with a note about the missing file. `retry`: fail so the queue retries. */
  readonly attachmentFailure?: AttachmentFailureMode;
}

export interface DeliveryResult {
  readonly spaceId: string;
  readonly messageIds: string[];
  readonly attached: number;
  readonly notAttached: number;
}

/** A file that did not make it, and why. */
interface Failure {
  readonly name: string;
  readonly error: unknown;
}

function describe(attachment: Attachment): string {
  if (attachment.name) return attachment.name;
  return attachment.kind === 'url' ? attachment.url : posix.basename(attachment.key);
}

function reasonOf(error: unknown): string {
  return error instanceof AttachmentError ? error.reason : (error as Error).message;
}

/** Whether trying the whole notification again later may attach the file: refusals by policy never will. */
function mayPass(error: unknown): boolean {
  if (error instanceof AttachmentError) return error.transient;
  if (error instanceof SpacesError) return error.retryable;
  return true;
}

function noteOf(failure: Failure): RenderNote {
  const link = failure.error instanceof AttachmentError ? failure.error.link : undefined;
  return { text: `📎 ${failure.name} could not be attached: ${reasonOf(failure.error)}`, link };
}

/**
 * Opens the attachments and uploads them with their thumbnails (one `getuploadurl` call for all, PUTs in parallel
 * with a small bound); returns the `data[]` entries of what went up and the failures of what did not.
 */
async function uploadAttachments(
  spaceId: string,
  attachments: readonly Attachment[],
  deps: DeliveryDependencies,
  opened: OpenedFile[],
): Promise<{ data: ChatAttachment[]; failures: Failure[] }> {
  const failures: Failure[] = [];
  for (const attachment of attachments) {
    try {
      opened.push(await deps.openAttachment(attachment));
    } catch (error) {
      failures.push({ name: describe(attachment), error });
    }
  }
  if (opened.length === 0) return { data: [], failures };

  // Each file, then its thumbnail if it has one: the slots come back in this order.
  const uploads = opened.flatMap((file, owner): { file: UploadableFile; owner: number; thumbnail: boolean }[] => [
    { file, owner, thumbnail: false },
    ...(file.thumbnail ? [{ file: file.thumbnail, owner, thumbnail: true }] : []),
  ]);
  let slots;
  try {
    slots = await deps.spaces.getUploadUrls(spaceId, uploads.map((upload) => upload.file));
  } catch (error) {
    return { data: [], failures: [...failures, ...opened.map((file) => ({ name: file.name, error }))] };
  }
  const uploaded = await mapLimit(uploads, deps.uploadConcurrency ?? 3, async (upload, index) => {
    try {
      await deps.spaces.upload(slots[index]!, upload.file);
      return true;
    } catch (error) {
      const name = opened[upload.owner]!.name;
      logger.warn(upload.thumbnail ? 'thumbnail upload failed' : 'attachment upload failed', {
        file: name,
        size: upload.file.size,
        reason: reasonOf(error),
      });
      // A missing thumbnail costs only the preview: the file itself still goes with the message.
      if (!upload.thumbnail) failures.push({ name, error });
      return false;
    }
  });
  const data = opened.flatMap((file, owner): ChatAttachment[] => {
    const main = uploads.findIndex((upload) => upload.owner === owner && !upload.thumbnail);
    if (!uploaded[main]) return [];
    const thumb = uploads.findIndex((upload) => upload.owner === owner && upload.thumbnail);
    return [
      {
        fileId: slots[main]!.fileKey,
        fileSize: file.size,
        fileType: fileTypeOf(file.contentType),
        name: file.name,
        provider: 'native',
        providerFileType: file.contentType,
        ...(thumb >= 0 && uploaded[thumb] ? { thumbnailFile: slots[thumb]!.fileKey } : {}),
      },
    ];
  });
  return { data, failures };
}

/** Delivers one notification: its files first, then its text, split into parts if long; the files go with the first part. */
export async function deliverNotification(notification: QueuedNotification, deps: DeliveryDependencies): Promise<DeliveryResult> {
  const spaceId = deps.channels[notification.channel];
  if (!spaceId) throw new PermanentDeliveryError(`no space is configured for channel "${notification.channel}"`);

  const opened: OpenedFile[] = [];
  try {
    const { data, failures } = await uploadAttachments(spaceId, notification.message.attachments, deps, opened);
    const passing = failures.find((failure) => mayPass(failure.error));
    if (passing && deps.attachmentFailure === 'retry') {
      throw new AttachmentFailedError(`${passing.name} could not be attached: ${reasonOf(passing.error)} (ATTACHMENT_FAILURE=retry)`, {
        cause: passing.error,
      });
    }
    const parts = renderMessage(notification.message, { notes: failures.map(noteOf) });
    const messageIds: string[] = [];
    for (const [index, bodyText] of parts.entries()) {
      messageIds.push(await deps.spaces.postChat(spaceId, index === 0 && data.length > 0 ? { bodyText, data } : { bodyText }));
    }
    return { spaceId, messageIds, attached: data.length, notAttached: notification.message.attachments.length - data.length };
  } finally {
    await Promise.all(opened.map((file) => file.dispose()));
  }
}
