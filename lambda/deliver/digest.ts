/**
 * Storms: when many text-only notifications for one space wait at once (500 alerts in a minute), they are folded
 * into digest messages — one line each, with its status mark, title and key field — instead of 500 posts that would
 * spend the space's rate limit for the next ten minutes and bury everything else.
 *
 * Where: deliver folds within what it holds at once, the SQS batch (or the local queue's batch), so a storm is only
 * seen as one if the event source hands over enough records together (batch size and batching window, see
 * `DIGEST_THRESHOLD`). Limits: each digest renders as one message within the renderer's size budget, with at most
 * `MAX_DIGEST_LINES` lines; only notifications without files and short enough for one message are folded, and only
 * runs not interrupted by another notification for the same space, so the space still reads in queue order.
 */
import { DELIVER_BATCH_SIZE } from '../../infra/limits';
import { chatMessage, type ChatMessage, type Item } from '../model/message';
import { renderMessage, statusLook } from '../render/body-text';

/**
 * A digest holds up to a whole batch (see `DELIVER_BATCH_SIZE`): a storm for one space is then one post per batch —
 * 2,000 alerts, 40 posts, within the minute's post budget — where a few lines fewer made it two (40 + 10). Longer
 * would be hard to scan on a phone, and a batch never holds more.
 */
export const MAX_DIGEST_LINES = DELIVER_BATCH_SIZE;

/** One notification as a digest line: its status mark, title (with severity) and key field, and its first link. */
function line(message: ChatMessage): Item {
  const key = message.fields[0];
  return {
    status: message.status,
    title: message.severity ? `${message.severity.toUpperCase()} · ${message.title}` : message.title,
    fields: key ? [key] : [],
    links: message.links.slice(0, 1),
  };
}

/** The message that stands for `members`. */
export function digestMessage(members: readonly ChatMessage[]): ChatMessage {
  const tally = new Map<string, number>();
  for (const m of members) tally.set(m.status, (tally.get(m.status) ?? 0) + 1);
  const statuses = [...tally].map(([status, n]) => `${n} ${statusLook(status as ChatMessage['status']).word.toLowerCase()}`);
  return chatMessage({
    source: 'relay',
    status: 'info',
    title: `Digest of ${members.length} notifications`,
    summary: `${statuses.join(', ')}. Many notifications arrived for this space at once, so they are shown one line each.`,
    items: members.map(line),
  });
}

/** Whether a message may be folded at all: no files, and short enough to have been one message on its own. */
export function isFoldable(message: ChatMessage): boolean {
  return message.attachments.length === 0 && renderMessage(message).length === 1;
}

/** Splits `members` (in order) into digests that each render as one message of at most `MAX_DIGEST_LINES` lines. */
export function packDigests<T>(members: readonly T[], messageOf: (member: T) => ChatMessage): T[][] {
  const digests: T[][] = [];
  let current: T[] = [];
  for (const member of members) {
    const candidate = [...current, member];
    const fits = candidate.length <= MAX_DIGEST_LINES && renderMessage(digestMessage(candidate.map(messageOf))).length === 1;
    if (fits || current.length === 0) {
      current = candidate;
    } else {
      digests.push(current);
      current = [member];
    }
  }
  if (current.length > 0) digests.push(current);
  return digests;
}

/** A notification as the planner sees it: where it goes, and whether it may be folded. */
export interface FoldCandidate {
  readonly spaceId: string;
  readonly foldable: boolean;
}

/**
 * The runs to fold, as index lists into `candidates` (queue order): for each space with at least `threshold`
 * foldable notifications waiting, its runs of two or more consecutive foldable ones.
 */
export function stormRuns(candidates: readonly FoldCandidate[], threshold: number): number[][] {
  const bySpace = new Map<string, number[]>();
  candidates.forEach((c, index) => bySpace.set(c.spaceId, [...(bySpace.get(c.spaceId) ?? []), index]));
  const runs: number[][] = [];
  for (const indices of bySpace.values()) {
    if (indices.filter((i) => candidates[i]!.foldable).length < threshold) continue;
    let run: number[] = [];
    for (const index of [...indices, -1]) {
      if (index >= 0 && candidates[index]!.foldable) {
        run.push(index);
        continue;
      }
      if (run.length >= 2) runs.push(run);
      run = [];
    }
  }
  return runs;
}
