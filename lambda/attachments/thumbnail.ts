/**
 * Thumbnails for images, uploaded next to them as Spaces' `thumbnailFile` so the chat shows a small preview.
 *
 * Pure JavaScript (jpeg-js, pngjs) rather than sharp: sharp would need its native libvips build for Lambda's
 * architecture shipped beside the bundle (an external module or a layer), for every team's stack. The price of pure
 * JavaScript is memory proportional to pixels — jpeg-js needs 30–50 bytes per pixel while decoding (a 2 MP image
 * adds 60–100 MB; an 8 MP photo ~290 MB, more than deliver's 256 MB) — so only JPEG and PNG images up to
 * `THUMBNAIL_MAX_PIXELS` and `THUMBNAIL_MAX_SOURCE_BYTES` get one. That covers what alerts and builds post (panel
 * screenshots, charts, full-HD screenshots); larger photos are posted without one. What the Spaces client shows then
 * is not documented (the image itself, loaded in full, or a plain file tile). Making a thumbnail never fails an
 * attachment: without one, the image is simply posted without a preview.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Readable } from 'node:stream';
import { logger } from '../runtime/logger';
import type { UploadableFile } from '../spaces/client';
import type { OpenedFile } from './opened-file';

/** 1920×1080 and a little more: the largest image decoded for a thumbnail (60–100 MB more while decoding a JPEG). */
export const THUMBNAIL_MAX_PIXELS = 2_100_000;
/** Images are read whole to be decoded: larger files are not. */
export const THUMBNAIL_MAX_SOURCE_BYTES = 8 * 1024 * 1024;
/** The longest edge of a thumbnail, in pixels. */
export const THUMBNAIL_EDGE = 320;
const THUMBNAIL_QUALITY = 75;

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Width and height from the file header, read before anything is decoded (so a huge image costs nothing). */
export function imageDimensions(bytes: Buffer, contentType: string): { width: number; height: number } | undefined {
  if (contentType === 'image/png') {
    if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (contentType !== 'image/jpeg' || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (SOF_MARKERS.has(marker)) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return undefined;
}

/**
 * Shrinks RGBA pixels by averaging each target pixel's source area, flattening transparency onto white (JPEG has no
 * alpha, and a transparent chart on black would be unreadable).
 */
function shrink(rgba: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Buffer {
  const out = Buffer.alloc(toWidth * toHeight * 4);
  for (let ty = 0; ty < toHeight; ty += 1) {
    const y0 = Math.floor((ty * height) / toHeight);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * height) / toHeight));
    for (let tx = 0; tx < toWidth; tx += 1) {
      const x0 = Math.floor((tx * width) / toWidth);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * width) / toWidth));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y += 1) {
        for (let x = x0; x < x1; x += 1) {
          const i = (y * width + x) * 4;
          const alpha = rgba[i + 3]! / 255;
          r += rgba[i]! * alpha + 255 * (1 - alpha);
          g += rgba[i + 1]! * alpha + 255 * (1 - alpha);
          b += rgba[i + 2]! * alpha + 255 * (1 - alpha);
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const o = (ty * toWidth + tx) * 4;
      out[o] = Math.round(r / count);
      out[o + 1] = Math.round(g / count);
      out[o + 2] = Math.round(b / count);
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Why an image gets no thumbnail, or its JPEG thumbnail. */
export function makeThumbnail(bytes: Buffer, contentType: string): Buffer | string {
  const size = imageDimensions(bytes, contentType);
  if (!size || size.width === 0 || size.height === 0) return 'not a JPEG or PNG image the relay can read';
  if (size.width * size.height > THUMBNAIL_MAX_PIXELS) return `${size.width}×${size.height} is over the thumbnail pixel cap`;
  if (Math.max(size.width, size.height) <= THUMBNAIL_EDGE) return 'already thumbnail-sized';
  const decoded =
    contentType === 'image/png'
      ? PNG.sync.read(bytes)
      : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: THUMBNAIL_MAX_PIXELS / 1e6, maxMemoryUsageInMB: 160 });
  const scale = THUMBNAIL_EDGE / Math.max(decoded.width, decoded.height);
  const width = Math.max(1, Math.round(decoded.width * scale));
  const height = Math.max(1, Math.round(decoded.height * scale));
  const pixels = shrink(decoded.data, decoded.width, decoded.height, width, height);
  return jpeg.encode({ data: pixels, width, height }, THUMBNAIL_QUALITY).data;
}

async function readAll(file: OpenedFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await file.open()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The file with a thumbnail if it is a JPEG or PNG small enough to preview; the file as it is otherwise. */
export async function withThumbnail(file: OpenedFile): Promise<OpenedFile> {
  if ((file.contentType !== 'image/jpeg' && file.contentType !== 'image/png') || file.size > THUMBNAIL_MAX_SOURCE_BYTES) return file;
  let result: Buffer | string;
  try {
    result = makeThumbnail(await readAll(file), file.contentType);
  } catch (error) {
    result = `could not be decoded (${(error as Error).message})`;
  }
  if (typeof result === 'string') {
    logger.info('no thumbnail', { file: file.name, reason: result });
    return file;
  }
  const bytes = result;
  const thumbnail: UploadableFile = { contentType: 'image/jpeg', size: bytes.length, open: async () => Readable.from([bytes]) };
  return { ...file, thumbnail };
}
