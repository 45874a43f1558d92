/** The webhook routes: which source, and which channel, a request path names; and the path as logs may show it. */

/**
 * `/hooks/{source}`, `/hooks/{source}/{channel}` or `/hooks/{source}/{channel}/{secret}`; `/hooks` alone (no source:
 * the sender is recognised from the request) gives `{}`; undefined for any other path. A secret comes only after a
 * channel (`default` names the default one), so that a path never leaves in doubt which segment is which: a chat
 * webhook URL carries its secret in the path because its sender can set no header (see `WebhookEndpoint.secretInPath`).
 */
export function parseHookPath(path: string): { source?: string; channel?: string; secret?: string } | undefined {
  if (/^\/hooks\/?$/.test(path)) return {};
  const match = /^\/hooks\/([A-Za-z0-9_-]+)(?:\/([A-Za-z0-9_.-]+)(?:\/([A-Za-z0-9_.~-]+))?)?\/?$/.exec(path);
  if (!match) return undefined;
  const [, source, channel, secret] = match;
  return { source: source!, ...(channel !== undefined && { channel }), ...(secret !== undefined && { secret }) };
}

/**
 * `path` as a log line or an answer may show it: `/hooks/{source}/{channel}` and nothing after, since a third segment
 * is (or may be, in a path that is no route) an inbound secret, right or wrong. A query string goes too.
 */
export function shownPath(path: string): string {
  const segments = path.split('?', 1)[0]!.split('/');
  const kept = segments[1] === 'hooks' ? 4 : 2;
  return segments.length > kept ? `${segments.slice(0, kept).join('/')}/[redacted]` : segments.join('/');
}
