/**
 * Deliver's logic, free of Lambda: one queued notification → files uploaded → message(s) posted, or for a resolved
 * alert, its firing messages edited (see `delivery/resolve-tracker.ts`). Each step is recorded in the journal, so a
 * retry resumes where the last attempt stopped: files are not uploaded twice, and parts are not posted twice.
 * A file that cannot be attached never holds back the text: the message says which file is missing and why.
 */
import { AttachmentError } from './attachments/attachment-error';
import type { OpenedFile } from './attachments/opened-file';
import { mapLimit } from './concurrency';
import type { ResolveMode } from './config';
import { onceKey } from './delivery/idempotency';
import { isPending, isPosted, type DeliveryJournal, type Progress } from './delivery/journal';
import { postPart, settlePending, type PostOnceDependencies } from './delivery/post-once';
import { resolvedEdits, shortResolved, trackingRole, type ResolveTracker, type TrackedAlert } from './delivery/resolve-tracker';
import { logger } from './logger';
import type { Attachment, ChatMessage } from './message';
import { count } from './metrics';
import type { QueuedNotification } from './notification';
import { renderMessage } from './render';
import type { ChatAttachment, SpacesClient } from './spaces/client';
import { SpacesError } from './spaces/errors';
import { fileTypeOf } from './spaces/file-type';

/** A notification that can never be delivered as it is (an unknown channel): retrying will not help. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export interface DeliveryDependencies extends PostOnceDependencies {
  readonly spaces: Pick<SpacesClient, 'getUploadUrls' | 'upload' | 'postChat' | 'editMessage' | 'recentMessages'>;
  /** Channel name → Spaces space id. */
  readonly channels: Readonly<Record<string, string>>;
  readonly openAttachment: (attachment: Attachment) => Promise<OpenedFile>;
  /** Uploads in flight at once for one message. */
  readonly uploadConcurrency?: number;
  readonly journal: DeliveryJournal;
  readonly tracker: ResolveTracker;
  readonly resolveMode: ResolveMode;
}

export interface DeliveryResult {
  readonly spaceId: string;
  /** The messages posted, in part order (none when a resolve only edited). */
  readonly messageIds: string[];
  /** Firing messages edited to show the alert resolved. */
  readonly edited: number;
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
      count('attachmentBytes', file.size);
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

/** The space a notification's channel names; an unknown channel is a configuration problem no retry can fix. */
export function spaceOf(notification: QueuedNotification, channels: Readonly<Record<string, string>>): string {
  const spaceId = channels[notification.channel];
  if (!spaceId) throw new PermanentDeliveryError(`no space is configured for channel "${notification.channel}"`);
  return spaceId;
}

/** What a notification turns into: edits of firing messages (for a tracked resolve) and/or a message to post. */
interface DeliveryPlan {
  readonly post?: ChatMessage;
  readonly tracked?: TrackedAlert;
}

async function plan(message: ChatMessage, spaceId: string, deps: DeliveryDependencies): Promise<DeliveryPlan> {
  if (trackingRole(message) !== 'resolved' || deps.resolveMode === 'post') return { post: message };
  const tracked = await deps.tracker.lookup(message.groupKey!);
  // Nothing to edit (never seen firing, or it went to another space): the resolved message is posted in full.
  if (!tracked || tracked.spaceId !== spaceId) return { post: message };
  return { tracked, post: deps.resolveMode === 'edit-and-post' ? shortResolved(message) : undefined };
}

/**
 * Edits the firing messages; true if all were edited (or are gone). A message that cannot be edited for good (a
 * permission, a policy) is not retried: the resolved message is posted in full instead, so the resolve is seen.
 */
async function editFiring(message: ChatMessage, tracked: TrackedAlert, deps: DeliveryDependencies): Promise<boolean> {
  let complete = true;
  for (const edit of resolvedEdits(message, tracked)) {
    try {
      await deps.spaces.editMessage(edit.messageId, edit.content);
    } catch (error) {
      if (!(error instanceof SpacesError) || error.retryable) throw error;
      // A message someone deleted needs no resolved mark.
      if (error.status !== 404) complete = false;
      logger.warn('firing message not edited', { messageId: edit.messageId, reason: error.message });
    }
  }
  return complete;
}

/** Opens and uploads the files once; a retry reuses what the journal says went up. */
async function uploadOnce(
  notification: QueuedNotification,
  spaceId: string,
  progress: Progress,
  deps: DeliveryDependencies,
): Promise<NonNullable<Progress['uploaded']>> {
  if (progress.uploaded) return progress.uploaded;
  const { data, notes, opened } = await uploadAttachments(spaceId, notification.message.attachments, deps);
  await Promise.all(opened.map((file) => file.dispose()));
  progress.uploaded = { data, notes };
  if (data.length > 0 || notes.length > 0) await deps.journal.write(onceKey(notification), progress);
  return progress.uploaded;
}

/** Posts each part not yet posted, settling first any part an earlier attempt left without an answer. */
async function postParts(
  notification: QueuedNotification,
  spaceId: string,
  parts: readonly string[],
  data: ChatAttachment[],
  progress: Progress,
  deps: DeliveryDependencies,
): Promise<string[]> {
  const entry = new Map([[onceKey(notification), progress]]);
  const messageIds: string[] = [];
  for (const [index, bodyText] of parts.entries()) {
    if (isPending(progress.parts[index])) await settlePending(spaceId, entry, index, deps);
    const done = progress.parts[index];
    messageIds.push(
      isPosted(done)
        ? done.messageId
        : await postPart(spaceId, index === 0 && data.length > 0 ? { bodyText, data } : { bodyText }, entry, index, deps),
    );
  }
  return messageIds;
}

/**
 * Delivers one notification, resuming from its journal: its files first, then its text, split into parts if long
 * (the files go with the first part); for a resolved alert that was seen firing, the edits first.
 */
export async function deliverNotification(notification: QueuedNotification, deps: DeliveryDependencies): Promise<DeliveryResult> {
  const spaceId = spaceOf(notification, deps.channels);
  const { message } = notification;
  const key = onceKey(notification);
  const progress = await deps.journal.read(key);
  const planned = await plan(message, spaceId, deps);
  let post = planned.post;

  let edited = 0;
  if (planned.tracked && !progress.edited) {
    if (!(await editFiring(message, planned.tracked, deps))) post = message;
    progress.edited = true;
    await deps.journal.write(key, progress);
  }
  if (planned.tracked) edited = planned.tracked.posts.reduce((sum, p) => sum + p.messageIds.length, 0);

  const { data, notes } = post ? await uploadOnce(notification, spaceId, progress, deps) : { data: [], notes: [] };
  const messageIds = post ? await postParts(notification, spaceId, renderMessage(post, { notes }), data, progress, deps) : [];

  const role = trackingRole(message);
  if (role === 'firing' && messageIds.length > 0) await deps.tracker.remember(message.groupKey!, spaceId, { messageIds, data });
  if (role === 'resolved' && planned.tracked) await deps.tracker.forget(message.groupKey!);
  return { spaceId, messageIds, edited, attached: data.length, notAttached: message.attachments.length - data.length };
}
