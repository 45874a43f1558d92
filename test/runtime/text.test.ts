import { cutText, leadingChars } from '../../lambda/runtime/text';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('cutText', () => {
  it('leaves short text alone and marks what it cut', () => {
    expect(cutText('disk full', 20)).toBe('disk full');
    expect(cutText('disk full on db-1', 9)).toBe('disk full…');
    expect(cutText('disk full on db-1', 9, '')).toBe('disk full');
  });

  it('never keeps half of a character past U+FFFF', () => {
    // Prepare: the emoji's two halves fall either side of the limit.
    const text = `${'x'.repeat(9)}🔥 burning`;

    // Act
    const cut = cutText(text, 10);

    // Assess
    expect(cut).toBe(`${'x'.repeat(9)}…`);
    expect(cut).not.toMatch(LONE_SURROGATE);
  });
});

describe('leadingChars', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(leadingChars('a1b2c3d4e5', 7)).toBe('a1b2c3d');
    expect(leadingChars('🔥🔥🔥🔥', 3)).toBe('🔥🔥🔥');
  });
});
