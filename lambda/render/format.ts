/** Small, locale-free formatters for values shown in messages (a phone in an incident is no place for raw ISO strings). */

/** `2025-05-28T02:36:23.089Z` → `2025-05-28 02:36 UTC`; undefined for Go's zero time or anything unparsable. */
export function formatTime(iso: string | undefined): string | undefined {
  if (!iso || iso.startsWith('0001-01-01')) return undefined;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Milliseconds → `1h 05m`, `3m 20s`, `12s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Duration between two timestamps, or undefined when either is missing or Go's zero time. */
export function durationBetween(startIso: string | undefined, endIso: string | undefined): string | undefined {
  if (!formatTime(startIso) || !formatTime(endIso)) return undefined;
  return formatDuration(Date.parse(endIso!) - Date.parse(startIso!));
}

/** Bytes → `1.5 MB` (decimal units, as file browsers show them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
