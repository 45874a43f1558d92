import { mrkdwnBlocks, mrkdwnInline, plainText } from '../../lambda/render/mrkdwn';
import { withEmoji } from '../../lambda/render/emoji';
import { balancedTags, growth } from '../support/render-text';

/** The converter's own tags: anything else in its output came from the text. */
const OWN_TAG = /^<\/?(p|br|b|i|s|code|pre|blockquote|ul|ol|li|a)>$|^<a href="https?:\/\/[^"<>]*">$/;

/** Every tag of `html` closed in order (`<br>` aside), and nothing but the converter's own tags. */
const wellFormed = (html: string): boolean => balancedTags(html, OWN_TAG);

describe('mrkdwnInline', () => {
  it.each([
    ['*bold*', '<b>bold</b>'],
    ['_italic_', '<i>italic</i>'],
    ['~strike~', '<s>strike</s>'],
    ['`code *not bold*`', '<code>code *not bold*</code>'],
    ['*bold _and italic_*', '<b>bold <i>and italic</i></b>'],
    ['a*b*c and snake_case_name', 'a*b*c and snake_case_name'],
    ['2 * 3 * 4', '2 * 3 * 4'],
    ['* not bold *', '* not bold *'],
    ['line one\nline *two*', 'line one<br>line <b>two</b>'],
  ])('formats %j', (input, html) => {
    expect(mrkdwnInline(input)).toBe(html);
  });

  it.each([
    ['<https://example.com/a?b=1&amp;c=2|the docs>', '<a href="https://example.com/a?b=1&amp;c=2">the docs</a>'],
    ['<https://example.com>', '<a href="https://example.com/">https://example.com</a>'],
    ['*see <https://example.com|this>*', '<b>see <a href="https://example.com/">this</a></b>'],
  ])('makes a link of %j', (input, html) => {
    expect(mrkdwnInline(input)).toBe(html);
  });

  it.each([
    ['<!here> and <!channel> and <!everyone>', '@here and @channel and @everyone'],
    ['<@U024BE7LH> and <@U024BE7LH|bob>', '@U024BE7LH and @bob'],
    ['<#C024BE7LR|general>', '#general'],
    ['<!subteam^SAZ94GDB8|@oncall>', '@oncall'],
    ['<!date^1392734382^{date}|Feb 18, 2014>', 'Feb 18, 2014'],
  ])('shows %j as plain words, never a mention', (input, shown) => {
    // Act
    const html = mrkdwnInline(input);

    // Assess
    expect(html).toBe(shown);
    expect(html).not.toMatch(/<mention|<a /);
  });

  it('shows emoji shortcodes as the characters they stand for, and leaves unknown ones', () => {
    expect(mrkdwnInline(':fire: :white_check_mark: :+1::skin-tone-3: :warning: :no_such_emoji:')).toBe('🔥 ✅ 👍🏼 ⚠️ :no_such_emoji:');
  });

  it('decodes the entities Slack senders escape, and escapes everything again', () => {
    expect(mrkdwnInline('a &lt;b&gt; &amp;amp; "q" \'s\'')).toBe('a &lt;b&gt; &amp;amp; &quot;q&quot; &#39;s&#39;');
  });
});

describe('mrkdwnBlocks', () => {
  it('turns paragraphs, quotes, lists and code blocks into blocks', () => {
    // Prepare
    const text = 'First *line*\nsecond\n\n> quoted _text_\n&gt; more\n• one\n• two\n1. first\n2) second\n```\nconst a = b < c;\n*not bold*\n```\nafter';

    // Act
    const blocks = mrkdwnBlocks(text);

    // Assess
    expect(blocks).toEqual([
      '<p>First <b>line</b><br>second</p>',
      '<blockquote>quoted <i>text</i><br>more</blockquote>',
      '<ul><li>one</li><li>two</li></ul>',
      '<ol><li>first</li><li>second</li></ol>',
      '<pre>const a = b &lt; c;\n*not bold*</pre>',
      '<p>after</p>',
    ]);
  });

  it('quotes everything after >>>', () => {
    expect(mrkdwnBlocks('intro\n>>> all\nof *this*')).toEqual(['<p>intro</p>', '<blockquote>all<br>of <b>this</b></blockquote>']);
  });

  it('splits a long paragraph into blocks between lines, so that it splits between parts', () => {
    // Prepare
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');

    // Act
    const blocks = mrkdwnBlocks(text);

    // Assess
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) expect(block).toMatch(/^<p>line \d+ x+(<br>line \d+ x+)*<\/p>$/);
    expect(blocks.join('').match(/line \d+/g)).toHaveLength(400);
  });

  describe('hostile input', () => {
    it.each([
      ['unbalanced markers', '*bold _italic* still_ ~open `tick'],
      ['nested links', '<https://a.example|<https://b.example|inner>>'],
      ['tags in text', '<script>alert(1)</script><img src=x onerror=alert(1)>'],
      ['an entity split by a marker', '&am*p;*'],
      ['an unclosed code block', '```\nnever closed *bold*'],
      ['markers around atoms', '*`code`* _<https://x.example|x>_ ~<!here>~'],
    ])('stays well-formed with %s', (_, input) => {
      // Act
      const html = mrkdwnBlocks(input).join('');

      // Assess
      expect(wellFormed(html)).toBe(true);
      expect(html).not.toMatch(/<(script|img|mention)/i);
    });

    it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:msgbox', '//evil.example'])(
      'never makes a link of %s',
      (target) => {
        // Act
        const html = mrkdwnInline(`<${target}|click me> and <${target}>`);

        // Assess
        expect(html).not.toContain('<a ');
        expect(html).toContain('click me');
      },
    );

    it('keeps a quote character in a URL from leaving the attribute', () => {
      expect(mrkdwnInline('<https://x.example/"onmouseover="alert(1)|x>')).toBe('<a href="https://x.example/%22onmouseover=%22alert(1)">x</a>');
    });

    it('takes time in proportion to the input: 10,000 * in a row, and the size doubled twice', () => {
      // Prepare: the worst cases for a marker search. CPU time, not the clock: a busy machine does not count.
      const shapes = [(n: number) => '*'.repeat(n), (n: number) => '*a '.repeat(n), (n: number) => '*_~'.repeat(n), (n: number) => `${'<'.repeat(n)}${'`'.repeat(n)}`];
      for (const shape of shapes) {
        // Act: one text four times as long against four texts of one size
        const ratio = growth(mrkdwnBlocks, shape, 10_000, 4);

        // Assess: linear costs the same, quadratic four times as much
        expect(ratio).toBeLessThan(2);
        expect(wellFormed(mrkdwnBlocks(shape(10_000)).join(''))).toBe(true);
      }
    });
  });
});

describe('plainText and withEmoji', () => {
  it('gives the words a title shows: entities decoded, shortcodes as emoji, nothing escaped', () => {
    expect(plainText('[FIRING:1] Disk &amp; CPU :fire:')).toBe('[FIRING:1] Disk & CPU 🔥');
  });

  it('leaves colons that are no shortcode alone', () => {
    expect(withEmoji('at 10:30:45, see http://x:8080/a')).toBe('at 10:30:45, see http://x:8080/a');
  });
});
