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
