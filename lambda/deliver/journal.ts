/**
 * How far the delivery of one notification got, kept between attempts so that a retry resumes instead of starting
 * over: which files went up (and what the message says about those that did not), whether the resolved edits were
 * made, and for each part whether it was posted (with its message id) or was being posted when the attempt ended.
 */
import { createHash } from 'node:crypto';
import type { RenderNote } from '../render/body-text';
import type { ChatAttachment } from '../spaces/client';
import type { StateStore } from './state-store';

/** The part is in Spaces under this id. */
export interface PostedPart {
  readonly messageId: string;
}

/** A post of the part went out at `since` (epoch ms) and no answer came back: it may or may not be stored. */
export interface PendingPart {
  readonly pendingSince: number;
  /** `fingerprint` of the body that was sent, to recognise it among the space's messages. */
  readonly fingerprint: string;
}

export type PartProgress = PostedPart | PendingPart;

export interface Progress {
  /** The attachments as posted with the first part, and the notes about files that could not be attached. */
  uploaded?: { readonly data: ChatAttachment[]; readonly notes: RenderNote[] };
  /** The firing messages of a resolved alert were edited. */
  edited?: boolean;
  /** By part index. */
  parts: Record<number, PartProgress | undefined>;
}

export function isPosted(part: PartProgress | undefined): part is PostedPart {
  return !!part && 'messageId' in part;
}

export function isPending(part: PartProgress | undefined): part is PendingPart {
  return !!part && 'pendingSince' in part;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: ' ' };

/**
 * A digest of what a body says, insensitive to how the server may re-serialise its HTML (tags, entity spelling,
 * whitespace), so that a stored message is recognised even if Spaces normalised it.
 */
export function fingerprint(bodyText: string): string {
  const plain = bodyText
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (_, name: string) => ENTITIES[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(plain).digest('hex').slice(0, 32);
}

/** Reads and writes progress by `onceKey` (channel and delivery key). */
export class DeliveryJournal {
  /**
   * `ttlSeconds`: as long as an idempotency record (`STATE_TTL_SECONDS`), so that a notification redriven after its
   * attempts failed half-way resumes, as a retry the same day would.
   */
  constructor(
    private readonly store: StateStore,
    private readonly ttlSeconds: number,
  ) {}

  async read(key: string): Promise<Progress> {
    return (await this.store.get<Progress>(this.id(key))) ?? { parts: {} };
  }

  async write(key: string, progress: Progress): Promise<void> {
    await this.store.put(this.id(key), progress, this.ttlSeconds);
  }

  /** Once the idempotency record says COMPLETED, the progress is no longer needed. */
  async forget(key: string): Promise<void> {
    await this.store.delete(this.id(key));
  }

  private id(key: string): string {
    return `progress#${key}`;
  }
}
