/**
 * The sender's own word for a status (`ChatMessage.senderStatus`), kept where the common status's word does not
 * already say it. Shared by every source that maps a sender's states onto the common statuses.
 */
import type { Status } from '../model/message';
import { statusLook } from '../render/body-text';
import { cutText } from '../runtime/text';

/** A state word is short; anything longer is not one a reader needs whole next to the status. */
const MAX_SENDER_STATUS_CHARS = 40;

/** `TIMED_OUT`, `timed out` and `Timed-Out` are one word for this purpose. */
const normalized = (word: string): string => word.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

/**
 * The sender's word for `status`, as sent, unless it is the status's own name or word in another case or spelling
 * (`success`, `FAILED`, `timed_out`): then it would only repeat what the headline says.
 */
export function senderStatusOf(word: string | null | undefined, status: Status): string | undefined {
  if (!word?.trim()) return undefined;
  const said = normalized(word);
  if (said === normalized(status) || said === normalized(statusLook(status).word)) return undefined;
  return cutText(word.trim(), MAX_SENDER_STATUS_CHARS);
}
