import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in time independent of where they differ. Both sides are hashed first so that their
 * lengths are equal too; `timingSafeEqual` alone throws on (and so leaks) a length mismatch.
 */
export function secretsEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const digest = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
