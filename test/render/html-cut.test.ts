import { cutHtml, wireSize } from '../../lambda/render/html-cut';
import { balancedTags } from '../support/render-text';

describe('cutHtml', () => {
  it('leaves HTML that fits as it is', () => {
    // Prepare
    const html = '<p><b>bold</b> &amp; <a href="https://x.example">link</a></p>';

    // Act
    const cut = cutHtml(html, wireSize(html));

    // Assess
    expect(cut).toBe(html);
  });

  it('cuts between tags and closes what is still open, marking the cut', () => {
    // Prepare
    const html = `<blockquote><p><b>${'word '.repeat(100)}</b> tail</p></blockquote>`;

    // Act
    const cut = cutHtml(html, 120);

    // Assess
    expect(wireSize(cut)).toBeLessThanOrEqual(120);
    expect(cut).toMatch(/^<blockquote><p><b>(word )+w?o?r?d?…<\/b><\/p><\/blockquote>$/);
    expect(balancedTags(cut)).toBe(true);
  });

  it('never cuts inside an entity, a tag or a grapheme', () => {
    // Prepare
    const family = '👨‍👩‍👧‍👦';
    const html = `<p>${'&lt;&amp;'.repeat(20)}<a href="https://example.com/${'a'.repeat(50)}">${family.repeat(20)}</a></p>`;

    // Act: every budget from the empty string's (its two quotes) up to the whole
    const budgets = Array.from({ length: wireSize(html) - 1 }, (_, i) => i + 2);
    const cuts = budgets.map((max) => cutHtml(html, max));

    // Assess
    for (const [index, cut] of cuts.entries()) {
      expect(wireSize(cut)).toBeLessThanOrEqual(budgets[index]!);
      expect(balancedTags(cut)).toBe(true);
      expect(cut.replace(/<[^>]*>/g, '')).not.toMatch(/&[a-z]*(?![a-z;])|[<>]/);
      expect(cut.replace(/<[^>]*>|&[a-z]+;/g, '').replace(/(👨‍👩‍👧‍👦)|…/gu, '')).toBe('');
    }
  });
});
