/**
 * `table[key]` when `key` is one of the table's own entries, else `undefined`. Keys here are senders' words, and a
 * word such as `constructor` or `__proto__` must find nothing rather than a member of `Object.prototype`.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
