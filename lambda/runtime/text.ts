/**
 * Cutting text without breaking a character. `slice` counts UTF-16 units and can keep half of a surrogate pair (an
 * emoji, any character past U+FFFF): that is no text — SQS refuses it in a message attribute, and deliver refuses it
 * in a queued notification.
 */

/** `text` cut to at most `max` UTF-16 units, never between the halves of a pair, with `marker` added when cut. */
export function cutText(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}${marker}`;
}

/** The first `count` characters of `text`, counted in code points (a short commit id, an execution id). */
export function leadingChars(text: string, count: number): string {
  // `count` code points take at most twice as many units: the rest is never looked at.
  return Array.from(text.slice(0, count * 2)).slice(0, count).join('');
}
