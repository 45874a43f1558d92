import { createHash } from 'node:crypto';

/**
 * A delivery key from the parts that identify one notification. Hashed so that keys stay short and carry no payload
 * text into logs or the idempotency table; prefixed with the source so keys of different senders never collide.
 */
export function hashedKey(source: string, parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return `${source}:${hash.digest('hex').slice(0, 40)}`;
}

/** JSON with object keys sorted, so that the same labels give the same key whatever order the sender used. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
