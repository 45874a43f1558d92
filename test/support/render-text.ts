import { renderMessage } from '../../lambda/render/body-text';
import type { ChatMessage } from '../../lambda/model/message';
import { readable } from './events';

/** A rendered message as a reader sees it: tags stripped, entities decoded, parts joined. */
export function visibleText(message: ChatMessage): string {
  return readable(renderMessage(message).join('\n'));
}
