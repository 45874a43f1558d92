/**
 * The relay's own markup in message text: a fixed, tiny vocabulary (bold) that only the team's templates write, as
 * marks the renderer turns into tags. Marks are characters of a private-use plane, so that no tag is ever written
 * into text: body-text.ts escapes everything, then turns the marks into `<b>`/`</b>`, balanced within one value.
 *
 * A payload cannot write them: `applyTemplates` clears them from every message a source produces, and a template's
 * printed values are cleared of them too, so a mark in message text is one a template put there.
 */

/** Starts bold text. U+F0000: a private-use character, four UTF-8 bytes like the `</b>` it becomes. */
export const BOLD_START = '\u{F0000}';
/** Ends bold text. U+F0001. */
export const BOLD_END = '\u{F0001}';

const ANY_MARK = /\u{F0000}|\u{F0001}/u;
const ALL_MARKS = /\u{F0000}|\u{F0001}/gu;

/** Whether `text` holds a mark. */
export const hasMarks = (text: string): boolean => ANY_MARK.test(text);

/** `text` without marks: what a value from a payload becomes, so that it cannot pass for the relay's markup. */
export const withoutMarks = (text: string): string => (ANY_MARK.test(text) ? text.replace(ALL_MARKS, '') : text);

/**
 * Escaped HTML with its marks turned into tags: a start inside bold and an end outside it are dropped, and bold still
 * open at the end is closed, so that a value cut anywhere still leaves well-formed HTML.
 */
export function marksToTags(escaped: string): string {
  if (!ANY_MARK.test(escaped)) return escaped;
  let open = false;
  const html = escaped.replace(ALL_MARKS, (mark) => {
    if (mark === BOLD_START && !open) return ((open = true), '<b>');
    if (mark === BOLD_END && open) return ((open = false), '</b>');
    return '';
  });
  return open ? `${html}</b>` : html;
}
