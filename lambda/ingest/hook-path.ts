/** The webhook routes: which source, and which channel, a request path names. */

/**
 * `/hooks/{source}` or `/hooks/{source}/{channel}`; `/hooks` alone (no source: the sender is recognised from the
 * request) gives `{}`; undefined for any other path.
 */
export function parseHookPath(path: string): { source?: string; channel?: string } | undefined {
  if (/^\/hooks\/?$/.test(path)) return {};
  const match = /^\/hooks\/([A-Za-z0-9_-]+)(?:\/([A-Za-z0-9_.-]+))?\/?$/.exec(path);
  if (!match) return undefined;
  return match[2] ? { source: match[1]!, channel: match[2] } : { source: match[1]! };
}
