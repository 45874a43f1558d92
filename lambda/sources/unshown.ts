/** What a chat-webhook source left out of a post, counted once per payload. */
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';

/**
 * Counts the parts of one payload that a chat post cannot show (`unshown`), with the kinds in a debug line. One plain
 * count: a count with a reason costs a metrics object of its own per call, on every such post.
 */
export function reportUnshown(source: string, byKind: ReadonlyMap<string, number>): void {
  const total = [...byKind.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return;
  count('unshown', total);
  logger.debug(`${source} payload: left out what a chat post cannot show`, { unshown: Object.fromEntries(byKind) });
}
