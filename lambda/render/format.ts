/** Small, locale-free formatters for values shown in messages (a phone in an incident is no place for raw ISO strings). */

/** `2025-05-28T02:36:23.089Z` → `2025-05-28 02:36 UTC`; undefined for Go's zero time or anything unparsable. */
export function formatTime(iso: string | undefined): string | undefined {
  if (!iso || iso.startsWith('0001-01-01')) return undefined;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The first and last instants of the years 0000–9999, the ones an ISO time writes in four digits. */
const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Seconds since 1970, as senders write times in their bodies (Slack's `ts` and `date` elements, Discord's `<t:…>`):
 * the time as `formatTime` writes it, or `undefined` for a number no calendar date of four-digit year stands for.
 */
export function formatEpochSeconds(seconds: number): string | undefined {
  const ms = seconds * 1000;
  return Number.isFinite(ms) && ms >= FIRST_MS && ms <= LAST_MS ? formatTime(new Date(ms).toISOString()) : undefined;
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
