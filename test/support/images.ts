/** Small images made on the spot for thumbnail tests. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A PNG whose left half is opaque red and right half fully transparent. */
export function halfTransparentPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 4;
      const red = x < width / 2;
      png.data[i] = red ? 255 : 0;
      png.data[i + 1] = 0;
      png.data[i + 2] = 0;
      png.data[i + 3] = red ? 255 : 0;
    }
  }
  // No adaptive row filters: they are slow in plain JavaScript, and a test image need not be small.
  return PNG.sync.write(png, { filterType: 0 });
}

/** A uniformly gray JPEG. */
export function grayJpeg(width: number, height: number): Buffer {
  return jpeg.encode({ data: Buffer.alloc(width * height * 4, 128), width, height }, 90).data;
}
