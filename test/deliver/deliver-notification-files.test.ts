/**
 * How deliver treats files: one `getuploadurl` call for all files and thumbnails of a message, a bounded number of
 * PUTs at once, and a file that fails never blocking the text — unless `ATTACHMENT_FAILURE=retry`, where a failure
 * that may pass fails the notification (and a refusal by policy still does not).
 */
import { Readable } from 'node:stream';
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { AttachmentError } from '../../lambda/attachments/attachment-error';
import type { OpenedFile } from '../../lambda/attachments/opened-file';
import { AttachmentFailedError, deliverNotification, type DeliveryDependencies } from '../../lambda/deliver/deliver-notification';
import { DeliveryJournal } from '../../lambda/deliver/journal';
import { ResolveTracker } from '../../lambda/deliver/resolve-tracker';
import { MemoryStateStore } from '../../lambda/deliver/state-store';
import { chatMessage, type Attachment } from '../../lambda/model/message';
import type { QueuedNotification } from '../../lambda/model/notification';
import type { ChatContent, UploadSlot, UploadableFile } from '../../lambda/spaces/client';
import { SpacesError } from '../../lambda/spaces/errors';

function notification(attachments: Attachment[]): QueuedNotification {
  return {
    v: 1,
    id: 'n1',
    deliveryKey: 'k1',
    receivedAt: '2024-01-01T00:00:00Z',
    channel: 'default',
    message: chatMessage({ source: 's3', status: 'info', title: 'files', attachments }),
  };
}

const s3 = (key: string): Attachment => ({ kind: 's3', bucket: 'b', key });

function opened(name: string, contentType = 'application/pdf', thumbnail?: UploadableFile): OpenedFile {
  return { name, contentType, size: 3, open: async () => Readable.from([Buffer.from('abc')]), dispose: async () => undefined, thumbnail };
}

/** A Spaces double that records calls; `failUpload` decides which uploads fail and how. */
function fakeSpaces(failUpload: (file: UploadableFile) => Error | undefined = () => undefined) {
  const calls = { getUploadUrls: [] as number[], posts: [] as ChatContent[], inFlight: 0, maxInFlight: 0 };
  const spaces: DeliveryDependencies['spaces'] = {
    getUploadUrls: async (_space, files) => {
      calls.getUploadUrls.push(files.length);
      return files.map((_f, i): UploadSlot => ({ fileKey: `key-${i}`, url: `https://storage.example/${i}` }));
    },
    upload: async (_slot, file) => {
      calls.inFlight += 1;
      calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      calls.inFlight -= 1;
      const failure = failUpload(file);
      if (failure) throw failure;
    },
    postChat: async (_space, content) => {
      calls.posts.push(content);
      return `m${calls.posts.length}`;
    },
    editMessage: async () => {
      throw new Error('no edits expected');
    },
    recentMessages: async () => [],
  };
  return { spaces, calls };
}

function deps(spaces: DeliveryDependencies['spaces'], open: (a: Attachment) => Promise<OpenedFile>, extra: Partial<DeliveryDependencies> = {}): DeliveryDependencies {
  const store = new MemoryStateStore();
  return {
    spaces,
    channels: { default: 'space-1' },
    openAttachment: open,
    journal: new DeliveryJournal(store, STATE_TTL_SECONDS),
    tracker: new ResolveTracker(store, STATE_TTL_SECONDS),
    resolveMode: 'edit-and-post',
    ...extra,
  };
}

it('asks for all upload URLs in one call, thumbnails included, and names each thumbnail', async () => {
  const thumb: UploadableFile = { contentType: 'image/jpeg', size: 1, open: async () => Readable.from([Buffer.from('t')]) };
  const files: Record<string, OpenedFile> = { 'a.png': opened('a.png', 'image/png', thumb), 'b.pdf': opened('b.pdf') };
  const { spaces, calls } = fakeSpaces();

  const result = await deliverNotification(notification([s3('a.png'), s3('b.pdf')]), deps(spaces, async (a) => files[(a as { key: string }).key]!));

  expect(calls.getUploadUrls).toEqual([3]);
  expect(result).toMatchObject({ attached: 2, notAttached: 0 });
  expect(calls.posts[0]!.data).toEqual([
    expect.objectContaining({ name: 'a.png', fileId: 'key-0', fileType: 'image', thumbnailFile: 'key-1' }),
    expect.objectContaining({ name: 'b.pdf', fileId: 'key-2', fileType: 'document' }),
  ]);
  expect(calls.posts[0]!.data![1]).not.toHaveProperty('thumbnailFile');
});

it('keeps at most the configured number of uploads in flight', async () => {
  const { spaces, calls } = fakeSpaces();
  const attachments = Array.from({ length: 8 }, (_v, i) => s3(`f${i}.pdf`));

  await deliverNotification(notification(attachments), deps(spaces, async (a) => opened((a as { key: string }).key), { uploadConcurrency: 2 }));

  expect(calls.maxInFlight).toBe(2);
  expect(calls.posts[0]!.data).toHaveLength(8);
});

it('posts the file without its thumbnail when only the thumbnail fails', async () => {
  const thumb: UploadableFile = { contentType: 'image/jpeg', size: 1, open: async () => Readable.from([Buffer.from('t')]) };
  const { spaces, calls } = fakeSpaces((file) => (file === thumb ? new SpacesError('upload', 'HTTP 500', { retryable: true }) : undefined));

  await deliverNotification(notification([s3('a.png')]), deps(spaces, async () => opened('a.png', 'image/png', thumb), { attachmentFailure: 'retry' }));

  expect(calls.posts[0]!.data).toEqual([expect.not.objectContaining({ thumbnailFile: expect.anything() })]);
  expect(calls.posts[0]!.bodyText).not.toContain('could not be attached');
});

describe('a file that fails to upload', () => {
  const failing = () => fakeSpaces((file) => ((file as OpenedFile).name === 'bad.pdf' ? new SpacesError('upload', 'HTTP 503', { retryable: true }) : undefined));
  const open = async (a: Attachment) => opened((a as { key: string }).key);

  it('still posts the text and the other files, with a note (ATTACHMENT_FAILURE=note, the default)', async () => {
    const { spaces, calls } = failing();

    const result = await deliverNotification(notification([s3('good.pdf'), s3('bad.pdf')]), deps(spaces, open));

    expect(result).toMatchObject({ attached: 1, notAttached: 1 });
    expect(calls.posts).toHaveLength(1);
    expect(calls.posts[0]!.data).toEqual([expect.objectContaining({ name: 'good.pdf' })]);
    expect(calls.posts[0]!.bodyText).toContain('📎 bad.pdf could not be attached: Spaces upload failed: HTTP 503');
  });

  it('fails the notification without posting when ATTACHMENT_FAILURE=retry', async () => {
    const { spaces, calls } = failing();

    await expect(deliverNotification(notification([s3('good.pdf'), s3('bad.pdf')]), deps(spaces, open, { attachmentFailure: 'retry' }))).rejects.toThrow(
      AttachmentFailedError,
    );
    expect(calls.posts).toHaveLength(0);
  });

  it('posts with a note even with ATTACHMENT_FAILURE=retry when the failure is a refusal that retrying cannot change', async () => {
    const { spaces, calls } = fakeSpaces();
    const refuse = async (): Promise<OpenedFile> => {
      throw new AttachmentError('5 GB is larger than the 1 GB limit for attachments, so it is not attached', {
        link: { label: 'Open in the S3 console', url: 'https://s3.console.aws.amazon.com/s3/object/b?prefix=huge.iso' },
      });
    };

    await deliverNotification(notification([s3('huge.iso')]), deps(spaces, refuse, { attachmentFailure: 'retry' }));

    expect(calls.posts[0]!.bodyText).toContain('huge.iso could not be attached: 5 GB is larger than the 1 GB limit');
    expect(calls.posts[0]!.bodyText).toContain('<a href="https://s3.console.aws.amazon.com/s3/object/b?prefix=huge.iso">Open in the S3 console</a>');
  });

  it('fails with ATTACHMENT_FAILURE=retry when opening the file failed for a reason that may pass', async () => {
    const { spaces } = fakeSpaces();
    const flaky = async (): Promise<OpenedFile> => {
      throw new AttachmentError('reading s3://b/x from S3 failed (SlowDown)', { transient: true });
    };

    await expect(deliverNotification(notification([s3('x')]), deps(spaces, flaky, { attachmentFailure: 'retry' }))).rejects.toThrow(/SlowDown/);
  });
});

it('disposes every opened file, also when the notification fails', async () => {
  const disposed: string[] = [];
  const { spaces } = fakeSpaces(() => new SpacesError('upload', 'HTTP 503', { retryable: true }));
  const open = async (a: Attachment): Promise<OpenedFile> => ({ ...opened((a as { key: string }).key), dispose: async () => void disposed.push((a as { key: string }).key) });

  await expect(deliverNotification(notification([s3('a'), s3('b')]), deps(spaces, open, { attachmentFailure: 'retry' }))).rejects.toThrow();

  expect(disposed.sort()).toEqual(['a', 'b']);
});
