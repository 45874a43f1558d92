import { Readable } from 'node:stream';

/**
 * A body of `size` bytes made from one reused block: a test or benchmark can stream gigabytes without holding them,
 * so what it measures is the code under test, not its own data.
 */
export function generatedBody(size: number, blockSize = 64 * 1024): Readable {
  const block = Buffer.alloc(blockSize, 0x5a);
  let left = size;
  return new Readable({
    read() {
      const n = Math.min(block.length, left);
      left -= n;
      this.push(n > 0 ? block.subarray(0, n) : null);
    },
  });
}
