/** AWS events said the way deliver says them: the recognising source, its schema, its settings, then the renderer. */
import { dispatchEvent } from '../../lambda/sources/dispatch';
import type { ChatMessage } from '../../lambda/model/message';
import { renderMessage } from '../../lambda/render/body-text';
import { resolveSourceSettings } from '../../lambda/sources/settings';

export interface Said {
  readonly source: string;
  readonly deliveryKey: string;
  readonly messages: ChatMessage[];
  /** Each message's bodyText parts, joined: what a reader sees. */
  readonly html: string[];
}

/** Dispatches `event` with the given `SOURCE_SETTINGS`; throws with the reason if no source can say it. */
export function say(event: unknown, settings: Record<string, unknown> = {}): Said {
  const dispatched = dispatchEvent(event, resolveSourceSettings(settings));
  if (!dispatched.ok) throw new Error(dispatched.reason);
  return { ...dispatched, html: dispatched.messages.map((message) => renderMessage(message).join('')) };
}

/** Plain text of rendered HTML (tags dropped, entities of the renderer undone), for assertions on what is read. */
export function readable(html: string): string {
  return html
    .replace(/<br>/g, '\n')
    .replace(/<\/p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** One object of an S3 event notification, as S3 writes it (the key form-encoded). */
export interface NotifiedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly versionId?: string;
  /** Bare, as S3 writes it in events. */
  readonly eTag?: string;
}

/** An `ObjectCreated:Put` notification (event version 2.1) of `objects`, as S3 sends it to the queue. */
export function s3Notification(objects: readonly NotifiedObject[]) {
  return {
    Records: objects.map((o, index) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2024-05-01T10:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AIDALOCALTEST' },
      s3: { bucket: { name: o.bucket }, object: { key: o.key, size: o.size, versionId: o.versionId, eTag: o.eTag, sequencer: `0${index}` } },
    })),
  };
}
