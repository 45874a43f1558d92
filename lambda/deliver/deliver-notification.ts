/**
 * Deliver's logic, free of Lambda: one queued notification → files uploaded → message(s) posted, or for a resolved
 * alert, its firing messages edited (see `resolve-tracker.ts`). Each step is recorded in the journal, so a
 * retry resumes where the last attempt stopped: files are not uploaded twice, and parts are not posted twice.
 * A file that cannot be attached does not hold back the text: the message says which file is missing and why —
 * unless the team chose `ATTACHMENT_FAILURE=retry`, where a failure that may pass fails the whole notification so
 * that the queue delivers it again later (refusals by policy, such as a file over the size limit, still become notes).
 */
import { posix } from 'node:path';
import { AttachmentError } from '../attachments/attachment-error';
import type { OpenedFile } from '../attachments/opened-file';
import { mapLimit } from '../runtime/concurrency';
import type { AttachmentFailureMode, ResolveMode } from '../runtime/config';
import { onceKey } from './idempotency';
import { isPending, isPosted, type DeliveryJournal, type Progress } from './journal';
import { postPart, settlePending, type PostOnceDependencies } from './post-once';
import { resolvedEdits, shortResolved, trackingRole, type ResolveTracker, type TrackedAlert } from './resolve-tracker';
import { logger } from '../runtime/logger';
import type { Attachment, ChatMessage } from '../model/message';
import { count } from '../runtime/metrics';
import type { QueuedNotification } from '../model/notification';
import { renderMessage, type RenderNote } from '../render/body-text';
import type { MentionPicker } from '../render/mentions';
import type { ChatAttachment, SpacesClient, UploadableFile } from '../spaces/client';
import { CredentialError, SpacesError } from '../spaces/errors';
import { fileTypeOf } from '../spaces/file-type';
import { ownEntry } from '../runtime/own-entry';

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

export interface DeliveryDependencies extends PostOnceDependencies {
  readonly spaces: Pick<SpacesClient, 'getUploadUrls' | 'upload' | 'postChat' | 'editMessage' | 'recentMessages'>;
  /** Channel name → Spaces space id. */
  readonly channels: Readonly<Record<string, string>>;
  readonly openAttachment: (attachment: Attachment) => Promise<OpenedFile>;
  /** Uploads in flight at once for one message. */
  readonly uploadConcurrency?: number;
  /** `note` (default): post the text with a note about the missing file. `retry`: fail so the queue retries. */
  readonly attachmentFailure?: AttachmentFailureMode;
  readonly journal: DeliveryJournal;
  readonly tracker: ResolveTracker;
  readonly resolveMode: ResolveMode;
  /** The team's users or groups a message calls on; none when absent. */
  readonly mentions?: MentionPicker;
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
      const name = describe(attachment);
      // The note in the message says why; the log says it too, with the error behind it (S3's request id, …).
      logger.warn('attachment could not be opened', { file: name, kind: attachment.kind, reason: reasonOf(error), mayPass: mayPass(error), error: error as Error });
      failures.push({ name, error });
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
    // Without a credential the message cannot be posted either: the whole notification waits, files included.
    if (error instanceof CredentialError) throw error;
    return { data: [], failures: [...failures, ...opened.map((file) => ({ name: file.name, error }))] };
  }
  const uploaded = await mapLimit(uploads, deps.uploadConcurrency ?? 3, async (upload, index) => {
    try {
      await deps.spaces.upload(slots[index]!, upload.file);
      count('attachmentBytes', upload.file.size);
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

/** The space a notification's channel names; an unknown channel is a configuration problem no retry can fix. */
export function spaceOf(notification: QueuedNotification, channels: Readonly<Record<string, string>>): string {
  // An own property only: a queued channel named `constructor` or `toString` is no channel.
  const spaceId = ownEntry(channels, notification.channel);
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
  const opened: OpenedFile[] = [];
  let uploaded: { data: ChatAttachment[]; failures: Failure[] };
  try {
    uploaded = await uploadAttachments(spaceId, notification.message.attachments, deps, opened);
  } finally {
    await Promise.all(opened.map((file) => file.dispose()));
  }
  const { data, failures } = uploaded;
  const passing = failures.find((failure) => mayPass(failure.error));
  if (passing && deps.attachmentFailure === 'retry') {
    throw new AttachmentFailedError(`${passing.name} could not be attached: ${reasonOf(passing.error)} (ATTACHMENT_FAILURE=retry)`, {
      cause: passing.error,
    });
  }
  const notes = failures.map(noteOf);
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
  const mentions = deps.mentions?.(message);
  const messageIds = post ? await postParts(notification, spaceId, renderMessage(post, { notes, mentions }), data, progress, deps) : [];

  const role = trackingRole(message);
  if (role === 'firing' && messageIds.length > 0) await deps.tracker.remember(message.groupKey!, spaceId, { messageIds, data });
  if (role === 'resolved' && planned.tracked) await deps.tracker.forget(message.groupKey!);
  return { spaceId, messageIds, edited, attached: data.length, notAttached: message.attachments.length - data.length };
}
