import jpeg from 'jpeg-js';
import { Readable } from 'node:stream';
import type { OpenedFile } from '../../lambda/attachments/opened-file';
import { imageDimensions, makeThumbnail, THUMBNAIL_EDGE, withThumbnail } from '../../lambda/attachments/thumbnail';
import { grayJpeg, halfTransparentPng } from '../support/images';

function file(bytes: Buffer, contentType: string): OpenedFile {
  return { name: 'x', contentType, size: bytes.length, open: async () => Readable.from([bytes]), dispose: async () => undefined };
}

it('reads dimensions from PNG and JPEG headers', () => {
  expect(imageDimensions(halfTransparentPng(40, 30), 'image/png')).toEqual({ width: 40, height: 30 });
  expect(imageDimensions(grayJpeg(64, 48), 'image/jpeg')).toEqual({ width: 64, height: 48 });
  expect(imageDimensions(Buffer.from('GIF89a'), 'image/jpeg')).toBeUndefined();
});

it('makes a JPEG thumbnail of a PNG, longest edge 320, transparency flattened onto white', () => {
  const thumbnail = makeThumbnail(halfTransparentPng(800, 400), 'image/png') as Buffer;

  const decoded = jpeg.decode(thumbnail, { useTArray: true });
  expect([decoded.width, decoded.height]).toEqual([THUMBNAIL_EDGE, 160]);
  const at = (x: number) => Array.from(decoded.data.subarray((80 * decoded.width + x) * 4, (80 * decoded.width + x) * 4 + 3));
  expect(at(40)[0]).toBeGreaterThan(230); // red stays red
  expect(at(40)[1]).toBeLessThan(30);
  expect(Math.min(...at(280))).toBeGreaterThan(240); // transparent became white
});

it('makes a thumbnail of a JPEG', () => {
  const decoded = jpeg.decode(makeThumbnail(grayJpeg(1000, 500), 'image/jpeg') as Buffer);

  expect([decoded.width, decoded.height]).toEqual([320, 160]);
});

it('decodes nothing for an image over the pixel cap: the header alone decides', () => {
  // A PNG header claiming 4000×3000, with no pixel data at all: decoding it would throw.
  const header = halfTransparentPng(1, 1);
  header.writeUInt32BE(4000, 16);
  header.writeUInt32BE(3000, 20);

  expect(makeThumbnail(header, 'image/png')).toBe('4000×3000 is over the thumbnail pixel cap');
});

it('leaves small images, other types and broken images without a thumbnail', async () => {
  expect(makeThumbnail(halfTransparentPng(200, 100), 'image/png')).toBe('already thumbnail-sized');
  expect((await withThumbnail(file(Buffer.from('%PDF-1.7'), 'application/pdf'))).thumbnail).toBeUndefined();
  const broken = Buffer.concat([grayJpeg(640, 480).subarray(0, 400)]);
  expect((await withThumbnail(file(broken, 'image/jpeg'))).thumbnail).toBeUndefined();
});

it('adds the thumbnail to an image file, ready to upload', async () => {
  const withPreview = await withThumbnail(file(grayJpeg(1280, 720), 'image/jpeg'));

  expect(withPreview.thumbnail).toMatchObject({ contentType: 'image/jpeg' });
  const chunks: Buffer[] = [];
  for await (const chunk of await withPreview.thumbnail!.open()) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).length).toBe(withPreview.thumbnail!.size);
});
