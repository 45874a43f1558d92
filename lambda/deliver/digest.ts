/**
 * Storms: when many text-only notifications for one space wait at once (500 alerts in a minute), they are folded
 * into digest messages — one line each, with its status mark, title, the first line of its text, its key field and
 * its main link — instead of 500 posts that would spend the space's rate limit for the next ten minutes and bury
 * everything else.
 *
 * Where: deliver folds within what it holds at once, the SQS batch (or the local queue's batch), so a storm is only
 * seen as one if the event source hands over enough records together (batch size and batching window, see
 * `DIGEST_THRESHOLD`). Limits: a digest has at most `MAX_DIGEST_LINES` lines; one too long for a message is split
 * into numbered parts, each one message within the renderer's size budget, so that no line is ever left out. Only
 * notifications without files and short enough for one message are folded, and only runs not interrupted by another
 * notification for the same space, so the space still reads in queue order.
 */
import { DELIVER_BATCH_SIZE } from '../../infra/limits';
import { chatMessage, type ChatMessage, type Item } from '../model/message';
import { renderMessage, statusLook } from '../render/body-text';
import { cutText } from '../runtime/text';

/**
 * A digest holds up to a whole batch (see `DELIVER_BATCH_SIZE`): a storm for one space is then one post per batch —
 * 2,000 alerts, 40 posts, within the minute's post budget — where a few lines fewer made it two (40 + 10). Longer
 * would be hard to scan on a phone, and a batch never holds more.
 */
export const MAX_DIGEST_LINES = DELIVER_BATCH_SIZE;

/**
 * How much of a notification's text its line shows: the first line, up to about two lines on a phone. Enough to tell
 * one notification of a storm from the next; a generic notification's text is all it says.
 */
export const DIGEST_TEXT_CHARS = 200;

/** The first line of `text` that says something, cut to `DIGEST_TEXT_CHARS`. */
function firstLine(text: string | undefined): string | undefined {
  const line = text?.split(/\r?\n/).find((candidate) => candidate.trim() !== '');
  return line === undefined ? undefined : cutText(line.trim(), DIGEST_TEXT_CHARS);
}

/** One notification as a digest line: status mark, title (with severity), first line of its text, key field, main link. */
function line(message: ChatMessage): Item {
  const key = message.fields[0];
  return {
    status: message.status,
    senderStatus: message.senderStatus,
    title: message.severity ? `${message.severity.toUpperCase()} · ${message.title}` : message.title,
    summary: firstLine(message.summary),
    fields: key ? [key] : [],
    links: message.links.slice(0, 1),
  };
}

/** Where a part of a digest stands: its number, how many parts there are, and how many notifications in all. */
export interface DigestPlace {
  readonly part: number;
  readonly parts: number;
  readonly notifications: number;
}

/** The message that stands for `members`: a whole digest, or (with `place`) one part of one. */
export function digestMessage(members: readonly ChatMessage[], place?: DigestPlace): ChatMessage {
  const tally = new Map<string, number>();
  for (const m of members) tally.set(m.status, (tally.get(m.status) ?? 0) + 1);
  const statuses = [...tally].map(([status, n]) => `${n} ${statusLook(status as ChatMessage['status']).word.toLowerCase()}`);
  const split = place && place.parts > 1 ? place : undefined;
  return chatMessage({
    source: 'relay',
    status: 'info',
    title: `Digest of ${split?.notifications ?? members.length} notifications${split ? ` (part ${split.part}/${split.parts})` : ''}`,
    summary:
      split && split.part > 1
        ? `${statuses.join(', ')} in this part.`
        : `${statuses.join(', ')}${split ? ' in this part' : ''}. Many notifications arrived for this space at once, so they are shown one line each.`,
    items: members.map(line),
  });
}

/** Whether a message may be folded at all: no files, and short enough to have been one message on its own. */
export function isFoldable(message: ChatMessage): boolean {
  return message.attachments.length === 0 && renderMessage(message).length === 1;
}

/** One post of a digest: the members whose lines it carries, and its place in the digest. */
export interface DigestPart<T> {
  readonly members: readonly T[];
  readonly place: DigestPlace;
}

/**
 * Splits `members` (in order) into digests of at most `MAX_DIGEST_LINES` lines, and each digest into as many parts
 * as its lines need, each rendering as one message: a line is moved to the next part, never cut or left out.
 */
export function packDigests<T>(members: readonly T[], messageOf: (member: T) => ChatMessage): DigestPart<T>[] {
  const parts: DigestPart<T>[] = [];
  for (let start = 0; start < members.length; start += MAX_DIGEST_LINES) {
    const digest = members.slice(start, start + MAX_DIGEST_LINES);
    // Packed with the longest title the digest's parts can have (it cannot have more parts than lines).
    const widest = (part: number): DigestPlace => ({ part, parts: digest.length, notifications: digest.length });
    const chunks: T[][] = [];
    let current: T[] = [];
    for (const member of digest) {
      const candidate = [...current, member];
      const fits = renderMessage(digestMessage(candidate.map(messageOf), widest(chunks.length + 1))).length === 1;
      if (fits || current.length === 0) {
        current = candidate;
      } else {
        chunks.push(current);
        current = [member];
      }
    }
    chunks.push(current);
    chunks.forEach((chunk, index) =>
      parts.push({ members: chunk, place: { part: index + 1, parts: chunks.length, notifications: digest.length } }),
    );
  }
  return parts;
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
