/**
 * Emoji shortcodes (`:fire:`, `:+1::skin-tone-2:`) as the characters they stand for. The names are Slack's own: the
 * iamcal set, which Slack's clients use, from `emojibase-data` (a maintained dataset; only this 48 KB table is
 * bundled). A name it does not know stays as written.
 */
import shortcodes from 'emojibase-data/en/shortcodes/iamcal.json';

/** Asks for the emoji look of a character whose default look is text (❤ → ❤️, ⚠ → ⚠️). */
const EMOJI_STYLE = '\uFE0F';

function table(): ReadonlyMap<string, string> {
  const byName = new Map<string, string>();
  for (const [hexcode, names] of Object.entries(shortcodes)) {
    const points = hexcode.split('-').map((hex) => Number.parseInt(hex, 16));
    let character = String.fromCodePoint(...points);
    if (points.length === 1 && !/\p{Emoji_Presentation}/u.test(character)) character += EMOJI_STYLE;
    for (const name of Array.isArray(names) ? names : [names]) byName.set(name, character);
  }
  return byName;
}

let byName: ReadonlyMap<string, string> | undefined;
/** The table, built on first use: most payloads hold no shortcode, and a cold start should not pay for it. */
const known = (name: string): string | undefined => (byName ??= table()).get(name);

/** `:name:`, optionally followed by a skin tone, `:skin-tone-2:` to `:skin-tone-6:`. Names have no spaces. */
const SHORTCODE = /:([a-z0-9_+'-]{1,60}):(?::(skin-tone-[2-6]):)?/g;

/** The character `name` stands for, if it is a known shortcode name. */
export function emojiFor(name: string): string | undefined {
  return known(name);
}

/** `text` with every known shortcode replaced by its character; unknown ones are left as they are. */
export function withEmoji(text: string): string {
  if (!text.includes(':')) return text;
  return text.replace(SHORTCODE, (whole, name: string, tone: string | undefined) => {
    const character = known(name);
    if (character === undefined) return whole;
    const modifier = tone === undefined ? undefined : known(tone);
    return modifier === undefined ? character : character.replace(EMOJI_STYLE, '') + modifier;
  });
}
