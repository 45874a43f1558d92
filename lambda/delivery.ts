/**
 * Deliver's logic, free of Lambda: one queued notification → files uploaded → message(s) posted.
 * A file that cannot be attached never holds back the text: the message says which file is missing and why.
 */
import { AttachmentError } from './attachments/attachment-error';
import type { OpenedFile } from './attachments/opened-file';
import { mapLimit } from './concurrency';
import { logger } from './logger';
import type { Attachment } from './message';
import type { QueuedNotification } from './notification';
import { renderMessage } from './render';
import type { ChatAttachment, SpacesClient } from './spaces/client';
import { fileTypeOf } from './spaces/file-type';

/** A notification that can never be delivered as it is (an unknown channel): retrying will not help. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export interface DeliveryDependencies {
  readonly spaces: Pick<SpacesClient, 'getUploadUrls' | 'upload' | 'postChat'>;
  /** Channel name → Spaces space id. */
  readonly channels: Readonly<Record<string, string>>;
  readonly openAttachment: (attachment: Attachment) => Promise<OpenedFile>;
  /** Uploads in flight at once for one message. */
  readonly uploadConcurrency?: number;
}

export interface DeliveryResult {
  readonly spaceId: string;
  readonly messageIds: string[];
  readonly attached: number;
  readonly notAttached: number;
}

function describe(attachment: Attachment): string {
  return attachment.name ?? attachment.url;
}

function reasonOf(error: unknown): string {
  return error instanceof AttachmentError ? error.reason : (error as Error).message;
}

/** Opens the attachments, uploads them (one `getuploadurl` call for all), and returns what went up and what did not. */
async function uploadAttachments(
  spaceId: string,
  attachments: readonly Attachment[],
  deps: DeliveryDependencies,
): Promise<{ data: ChatAttachment[]; notes: string[]; opened: OpenedFile[] }> {
  const notes: string[] = [];
  const opened: OpenedFile[] = [];
  for (const attachment of attachments) {
    try {
      opened.push(await deps.openAttachment(attachment));
    } catch (error) {
      notes.push(`📎 ${describe(attachment)} could not be attached: ${reasonOf(error)}`);
    }
  }
  if (opened.length === 0) return { data: [], notes, opened };

  let slots;
  try {
    slots = await deps.spaces.getUploadUrls(spaceId, opened);
  } catch (error) {
    notes.push(`📎 ${opened.length} file(s) could not be attached: ${reasonOf(error)}`);
    return { data: [], notes, opened };
  }
  const uploaded = await mapLimit(opened, deps.uploadConcurrency ?? 3, async (file, index) => {
    try {
      await deps.spaces.upload(slots[index]!, file);
      return true;
    } catch (error) {
      notes.push(`📎 ${file.name} could not be attached: ${reasonOf(error)}`);
      logger.warn('attachment upload failed', { file: file.name, size: file.size, reason: reasonOf(error) });
      return false;
    }
  });
  const data = opened.flatMap((file, index): ChatAttachment[] =>
    uploaded[index]
      ? [
          {
            fileId: slots[index]!.fileKey,
            fileSize: file.size,
            fileType: fileTypeOf(file.contentType),
            name: file.name,
            provider: 'native',
            providerFileType: file.contentType,
          },
        ]
      : [],
  );
  return { data, notes, opened };
}

/** Delivers one notification: its files first, then its text, split into parts if long; the files go with the first part. */
export async function deliverNotification(notification: QueuedNotification, deps: DeliveryDependencies): Promise<DeliveryResult> {
  const spaceId = deps.channels[notification.channel];
  if (!spaceId) throw new PermanentDeliveryError(`no space is configured for channel "${notification.channel}"`);

  const { data, notes, opened } = await uploadAttachments(spaceId, notification.message.attachments, deps);
  try {
    const parts = renderMessage(notification.message, { notes });
    const messageIds: string[] = [];
    for (const [index, bodyText] of parts.entries()) {
      messageIds.push(await deps.spaces.postChat(spaceId, index === 0 && data.length > 0 ? { bodyText, data } : { bodyText }));
    }
    return { spaceId, messageIds, attached: data.length, notAttached: notification.message.attachments.length - data.length };
  } finally {
    await Promise.all(opened.map((file) => file.dispose()));
  }
}
