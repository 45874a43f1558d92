/**
 * Resolved alerts update the message that announced them. A firing message with a `groupKey` (Alertmanager and
 * Grafana: `<source>:<receiver>:<groupKey>`; CloudWatch: the alarm ARN) has its message ids remembered; when the
 * same key resolves, those messages are edited to show the resolved state and, depending on `RESOLVE_MODE`, a short
 * resolved message is posted as well, so that the people following the space see it happen.
 */
import { createHash } from 'node:crypto';
import { chatMessage, type ChatMessage } from '../model/message';
import { renderMessage } from '../render/body-text';
import type { ChatAttachment, ChatContent } from '../spaces/client';
import type { StateStore } from './state-store';

/** One firing post: the ids of its parts, and the files of its first part (an edit sends the whole content again). */
export interface TrackedPost {
  readonly messageIds: string[];
  readonly data?: ChatAttachment[];
}

export interface TrackedAlert {
  readonly spaceId: string;
  /** Oldest first: every post made while the group kept firing (a new alert joining it makes a new post). */
  readonly posts: TrackedPost[];
}

/** Edits one resolve may make: a group that re-fired more often than this has its oldest posts left as they are. */
const MAX_TRACKED_POSTS = 5;
/** How long an alert may stay firing and still have its resolve edit the messages that announced it. */
const FIRING_SECONDS = 30 * 24 * 60 * 60;

export class ResolveTracker {
  private readonly ttlSeconds: number;

  /**
   * `waitSeconds`: the longest a notification can wait in the queues (`STATE_TTL_SECONDS`). A resolve may come a
   * month after its alert fired and then itself wait that long before a redrive delivers it: the firing messages are
   * remembered for both. An alert firing longer is resolved with a post of its own.
   */
  constructor(
    private readonly store: StateStore,
    waitSeconds: number,
  ) {
    this.ttlSeconds = FIRING_SECONDS + waitSeconds;
  }

  async lookup(groupKey: string): Promise<TrackedAlert | undefined> {
    return this.store.get<TrackedAlert>(this.id(groupKey));
  }

  /** Remembers a firing post; remembering the same post again (a retried attempt) changes nothing. */
  async remember(groupKey: string, spaceId: string, post: TrackedPost): Promise<void> {
    const tracked = await this.lookup(groupKey);
    const earlier = tracked?.spaceId === spaceId ? tracked.posts : [];
    if (earlier.some((p) => p.messageIds[0] === post.messageIds[0])) return;
    const posts = [...earlier, post].slice(-MAX_TRACKED_POSTS);
    await this.store.put(this.id(groupKey), { spaceId, posts } satisfies TrackedAlert, this.ttlSeconds);
  }

  async forget(groupKey: string): Promise<void> {
    await this.store.delete(this.id(groupKey));
  }

  /** Group keys can be long (Alertmanager's are label sets): hashed to stay within key size limits. */
  private id(groupKey: string): string {
    return `alert#${createHash('sha256').update(groupKey).digest('hex').slice(0, 40)}`;
  }
}

/** Whether a message is the kind a later resolve can find, or is that resolve. */
export function trackingRole(message: ChatMessage): 'firing' | 'resolved' | undefined {
  if (!message.groupKey) return undefined;
  return message.status === 'firing' || message.status === 'resolved' ? message.status : undefined;
}

/**
 * The edits that mark a group's firing posts resolved: each part of each post shows the matching part of the
 * resolved message; parts the resolved message does not have show its short form.
 */
export function resolvedEdits(resolved: ChatMessage, tracked: TrackedAlert): { messageId: string; content: ChatContent }[] {
  const parts = renderMessage(resolved);
  const short = renderMessage(shortResolved(resolved))[0]!;
  return tracked.posts.flatMap((post) =>
    post.messageIds.map((messageId, index) => ({
      messageId,
      content: { bodyText: parts[index] ?? short, ...(index === 0 && post.data?.length ? { data: post.data } : {}) },
    })),
  );
}

/** The resolved message as a short notice: headline, summary and how many alerts, the details being in the edit. */
export function shortResolved(message: ChatMessage): ChatMessage {
  return chatMessage({
    source: message.source,
    status: message.status,
    senderStatus: message.senderStatus,
    title: message.title,
    severity: message.severity,
    summary: message.summary,
    fields: message.items.length > 0 ? [{ name: 'Alerts', value: `${message.items.length} resolved` }] : [],
    groupKey: message.groupKey,
    channel: message.channel,
  });
}
