/**
 * The media type of a file when its store does not say (S3 answers `binary/octet-stream` for objects uploaded without
 * one). A small table of what teams actually send to a chat — reports, logs, screenshots, archives, recordings —
 * rather than a full MIME database: an unknown extension is still delivered, as `application/octet-stream`.
 */
import { extname } from 'node:path';

export const OCTET_STREAM = 'application/octet-stream';

const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.flac': 'audio/flac',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.toml': 'application/toml',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.7z': 'application/x-7z-compressed',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** Types that say "the uploader did not tell": the extension is a better guess. */
const UNSPECIFIC = new Set(['', OCTET_STREAM, 'binary/octet-stream']);

/** A well-formed `type/subtype`: anything else from metadata is not sent on as a header. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** The type declared by the store if it is specific, else the one of the file's extension, else octet-stream. */
export function contentTypeFor(name: string, declared: string | undefined): string {
  const bare = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (!UNSPECIFIC.has(bare) && MEDIA_TYPE.test(bare)) return bare;
  return BY_EXTENSION[extname(name).toLowerCase()] ?? OCTET_STREAM;
}
