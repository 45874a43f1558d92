/**
 * Posting a part at most once, although Spaces posts are not idempotent.
 *
 * Before a post, every notification it carries records the part as pending (with a fingerprint of the body); after
 * it, as posted with the message id. A post whose answer is lost (connection reset, timeout, 502/504) and a pending
 * part found by a later attempt are settled the same way: look among the space's latest messages for that body,
 * created since the post went out. Found: it was stored, take its id. Not found: it was not, post again.
 *
 * What remains open, and why: a message stored only after the look (a server slower than the wait), a body that
 * Spaces rewrote beyond what `fingerprint` ignores, or more than `LOOKBACK` newer messages in the space — each of
 * these shows as "not found" and the part is posted twice. That side was chosen on purpose: a duplicate can be read
 * past, a lost alert cannot. And if the look itself fails, the attempt fails and the queue retries later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../runtime/logger';
import type { ChatContent, SpacesClient } from '../spaces/client';
import { SpacesError } from '../spaces/errors';
import { fingerprint, isPending, type DeliveryJournal, type PendingPart, type Progress } from './journal';

/**
 * How many of the space's latest messages are searched: a part left pending is looked for when its record comes back
 * from the queue, 30 s to 15 min later, and at the documented 60 posts a minute a busy space can hold many newer
 * messages by then. 100 is the most one query is known to return (the public samples' page size is not documented).
 */
const LOOKBACK = 100;
/** The pause after an unanswered post before looking for it: a server still storing it has done so by then. */
export const DEFAULT_SETTLE_MS = 1_000;
/** Tolerated difference between our clock and Spaces' `created` stamps, kept small: a miss means a duplicate, not a loss. */
const CLOCK_SKEW_MS = 2_000;

export interface PostOnceDependencies {
  readonly spaces: Pick<SpacesClient, 'postChat' | 'recentMessages'>;
  readonly journal: DeliveryJournal;
  /** Pause after an unanswered post before looking for it, so a slow server has stored it by then. */
  readonly settleMs?: number;
  /** Posts tried within one attempt when each one's answer is lost and the message is not found. */
  readonly ambiguousAttempts?: number;
}

/** The progress of each notification a post carries, keyed by delivery key; updated and written in place. */
export type ProgressByKey = Map<string, Progress>;

async function record(progress: ProgressByKey, index: number, part: Progress['parts'][number], deps: PostOnceDependencies): Promise<void> {
  await Promise.all(
    [...progress].map(([key, entry]) => {
      entry.parts[index] = part;
      return deps.journal.write(key, entry);
    }),
  );
}

/**
 * Settles the pending part `index` of each notification: the id of its message if the space has it, `undefined` if
 * not (then the part is free to be posted again). One look serves all of them.
 */
export async function settlePending(
  spaceId: string,
  progress: ProgressByKey,
  index: number,
  deps: PostOnceDependencies,
): Promise<Map<string, string | undefined>> {
  const pending = [...progress].flatMap(([key, entry]) => {
    const part = entry.parts[index];
    return isPending(part) ? [{ key, part }] : [];
  });
  const settled = new Map<string, string | undefined>();
  if (pending.length === 0) return settled;
  // The members of a digest share one post: same body, same moment. Each post claims at most one stored message.
  const posts = new Map<string, { part: PendingPart; keys: string[] }>();
  for (const { key, part } of pending) {
    const id = `${part.fingerprint}@${part.pendingSince}`;
    const post = posts.get(id) ?? { part, keys: [] };
    post.keys.push(key);
    posts.set(id, post);
  }
  const messages = await deps.spaces.recentMessages(spaceId, LOOKBACK);
  const taken = new Set<string>();
  for (const { part, keys } of posts.values()) {
    const match = messages.find(
      (m) =>
        !taken.has(m.id) &&
        (m.created === undefined || m.created >= part.pendingSince - CLOCK_SKEW_MS) &&
        fingerprint(m.bodyText) === part.fingerprint,
    );
    if (match) taken.add(match.id);
    else if (!reachesBack(messages, part.pendingSince - CLOCK_SKEW_MS)) {
      logger.warn('unanswered post may be older than the messages searched; posting again may show it twice', {
        deliveryKeys: keys,
        searched: messages.length,
      });
    }
    for (const key of keys) {
      const entry = progress.get(key)!;
      entry.parts[index] = match ? { messageId: match.id } : undefined;
      await deps.journal.write(key, entry);
      settled.set(key, match?.id);
    }
    logger.info(match ? 'unanswered post was stored' : 'unanswered post was not stored', { deliveryKeys: keys, part: index });
  }
  return settled;
}

/** Whether the page goes back to `since`: it holds the space's whole history, or a message at least that old. */
function reachesBack(messages: readonly { created?: number }[], since: number): boolean {
  if (messages.length < LOOKBACK) return true;
  const oldest = messages.at(-1)?.created;
  return oldest !== undefined && oldest <= since;
}

/** Posts part `index` for the notifications in `progress` (one, or the members of a digest) and records it. */
export async function postPart(
  spaceId: string,
  content: ChatContent,
  progress: ProgressByKey,
  index: number,
  deps: PostOnceDependencies,
): Promise<string> {
  const print = fingerprint(content.bodyText);
  for (let attempt = 1; ; attempt += 1) {
    await record(progress, index, { pendingSince: Date.now(), fingerprint: print }, deps);
    try {
      const messageId = await deps.spaces.postChat(spaceId, content);
      await record(progress, index, { messageId }, deps);
      return messageId;
    } catch (error) {
      if (!(error instanceof SpacesError && error.ambiguous)) {
        // The server answered with a failure: nothing was stored, so no later attempt needs to look for it.
        await record(progress, index, undefined, deps);
        throw error;
      }
      // Left pending: the next attempt looks for it, later, when even a slow server has stored it.
      if (attempt >= (deps.ambiguousAttempts ?? 3)) throw error;
      await sleep(deps.settleMs ?? DEFAULT_SETTLE_MS);
      const found = [...(await settlePending(spaceId, progress, index, deps)).values()][0];
      if (found) return found;
    }
  }
}
