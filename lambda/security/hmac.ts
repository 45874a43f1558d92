import { createHmac } from 'node:crypto';
import { secretsEqual } from './constant-time';

/** HMAC-SHA256 of `body` keyed with `secret`, as lower-case hex: the signature GitHub and CircleCI send. */
export function hmacSha256Hex(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Whether one of `signatures` (hex, any case) is the HMAC-SHA256 of the raw `body` under `secret`. Every candidate is
 * compared, each in constant time, so the time taken tells nothing about the expected value or which one matched.
 */
export function signatureMatches(body: Buffer, secret: string, signatures: readonly string[]): boolean {
  const expected = hmacSha256Hex(secret, body);
  let matched = false;
  for (const signature of signatures) matched = secretsEqual(signature.trim().toLowerCase(), expected) || matched;
  return matched;
}
