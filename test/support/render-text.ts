import { renderMessage } from '../../lambda/render';
import type { ChatMessage } from '../../lambda/message';

/** A rendered message as a reader sees it: tags stripped, entities decoded, parts joined. */
export function visibleText(message: ChatMessage): string {
  return renderMessage(message)
    .join('\n')
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
