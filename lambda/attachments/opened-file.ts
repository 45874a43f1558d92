import type { UploadableFile } from '../spaces/client';

/** An attachment ready to upload: its name as shown in the chat, and what to clean up once delivered. */
export interface OpenedFile extends UploadableFile {
  readonly name: string;
  /** A small preview of an image, uploaded alongside it and named as its `thumbnailFile`. */
  readonly thumbnail?: UploadableFile;
  dispose(): Promise<void>;
}
