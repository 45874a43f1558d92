import { inline, markdownToHtml, markdownToText, type DroppedMarkdown } from '../../lambda/render/markdown';
import { balancedTags, growth } from '../support/render-text';

const html = (markdown: string): string => markdownToHtml(markdown).join('');

describe('markdownToHtml', () => {
  describe('inline constructs', () => {
    it.each([
      ['**bold**', '<p><b>bold</b></p>'],
      ['*italic* and _italic_', '<p><i>italic</i> and <i>italic</i></p>'],
      ['__underline__', '<p><u>underline</u></p>'],
      ['~~strike~~', '<p><s>strike</s></p>'],
      ['***both***', '<p><b><i>both</i></b></p>'],
      ['___both___', '<p><u><i>both</i></u></p>'],
      ['**bold _and italic_**', '<p><b>bold <i>and italic</i></b></p>'],
      ['`a <b> & c`', '<p><code>a &lt;b&gt; &amp; c</code></p>'],
      ['``has ` inside``', '<p><code>has ` inside</code></p>'],
      ['`` `tick` ``', '<p><code>`tick`</code></p>'],
      ['`**not bold**`', '<p><code>**not bold**</code></p>'],
      ['[Run #42](https://ci.example.com/42)', '<p><a href="https://ci.example.com/42">Run #42</a></p>'],
      ['[**bold** label](https://x.example/)', '<p><a href="https://x.example/"><b>bold</b> label</a></p>'],
      ['<https://x.example/a?b=1&c=2>', '<p><a href="https://x.example/a?b=1&amp;c=2">https://x.example/a?b=1&amp;c=2</a></p>'],
      ['||the butler||', '<p>the butler</p>'],
      ['line one\nline two', '<p>line one<br>line two</p>'],
      ['one<br>two<br/>three<BR />four', '<p>one<br>two<br>three<br>four</p>'],
      ['\\*not italic\\*', '<p>*not italic*</p>'],
    ])('%j → %s', (markdown, expected) => {
      // Act
      const result = html(markdown);

      // Assess
      expect(result).toBe(expected);
    });

    it('leaves snake_case names and lone markers as typed', () => {
      expect(html('my_var_name and 2 * 3 * 4 and a ~ b | c')).toBe('<p>my_var_name and 2 * 3 * 4 and a ~ b | c</p>');
    });

    it("shows Discord's mentions, channels, custom emoji, commands and timestamps as plain text", () => {
      // Prepare
      const markdown = 'hey <@123> <@!456> <@&789> in <#42> <:party:111> <a:wave:222> </deploy prod:9> at <t:1618953630:R> <t:1618953630>';

      // Act
      const result = html(markdown);

      // Assess
      expect(result).toBe('<p>hey @123 @456 @789 in #42 :party: :wave: /deploy prod at 2021-04-20 21:20 UTC 2021-04-20 21:20 UTC</p>');
    });
  });

  describe('blocks', () => {
    it('turns headings into bold paragraphs, Discord subtext included', () => {
      expect(markdownToHtml('# Deploy\n## Stage\n### Step\n-# small print')).toEqual([
        '<p><b>Deploy</b></p>',
        '<p><b>Stage</b></p>',
        '<p><b>Step</b></p>',
        '<p><b>small print</b></p>',
      ]);
    });

    it('keeps a fenced code block as typed, escaped, without its language', () => {
      expect(markdownToHtml('before\n```diff\n- <old>\n+ **new**\n```\nafter')).toEqual([
        '<p>before</p>',
        '<pre>- &lt;old&gt;\n+ **new**</pre>',
        '<p>after</p>',
      ]);
    });

    it('runs an unclosed fence to the end, and reads ```one line``` as code', () => {
      expect(markdownToHtml('```\nopen <code>')).toEqual(['<pre>open &lt;code&gt;</pre>']);
      expect(html('```one line```')).toBe('<p><code>one line</code></p>');
    });

    it('groups quote lines, and quotes everything after >>>', () => {
      expect(markdownToHtml('> first\n> *second*\n\nplain')).toEqual(['<blockquote>first<br><i>second</i></blockquote>', '<p>plain</p>']);
      expect(markdownToHtml('>>> all\nof this')).toEqual(['<blockquote>all<br>of this</blockquote>']);
    });

    it('makes bullet lists, and keeps numbered lines with their own numbers', () => {
      expect(markdownToHtml('- one\n* **two**\n+ three\n\n1. first\n3. third')).toEqual([
        '<ul><li>one</li><li><b>two</b></li><li>three</li></ul>',
        '<p>1. first<br>3. third</p>',
      ]);
    });

    it('separates paragraphs at blank lines and shows nothing for blank input', () => {
      expect(markdownToHtml('a\n\n\nb')).toEqual(['<p>a</p>', '<p>b</p>']);
      expect(markdownToHtml('  \n\n')).toEqual([]);
    });
  });

  describe('hostile input', () => {
    it('escapes every tag and entity of the payload', () => {
      // Prepare
      const markdown = `<script>alert(1)</script> <mention id="1"> &amp; "q" 'a' <img src=x onerror=alert(1)>`;

      // Act
      const result = html(markdown);

      // Assess
      expect(result).toBe(
        '<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;mention id=&quot;1&quot;&gt; &amp;amp; &quot;q&quot; &#39;a&#39; &lt;img src=x onerror=alert(1)&gt;</p>',
      );
    });

    it.each(['javascript:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'JAVASCRIPT:alert(1)', '/relative/path', 'vbscript:x'])(
      'never makes a link of %s, keeps its label and reports the drop',
      (url) => {
        // Prepare
        const dropped: DroppedMarkdown[] = [];

        // Act
        const result = markdownToHtml(`[click me](${url})`, { onDrop: (what) => dropped.push(what) }).join('');

        // Assess
        expect(result).toBe('<p>click me</p>');
        expect(dropped).toEqual(['unsafe-link']);
      },
    );

    it('never nests a link in a link', () => {
      expect(html('[a [b](https://b.example/) c](https://c.example/)')).toBe('<p>[a <a href="https://b.example/">b</a> c](https://c.example/)</p>');
    });

    it('escapes a quote in a link target so it cannot leave the attribute', () => {
      expect(html('[x](https://x.example/"onmouseover="alert(1))')).toBe('<p><a href="https://x.example/%22onmouseover=%22alert(1)">x</a></p>');
    });

    it.each([
      ['unbalanced', '**bold *italic ~~strike'],
      ['crossed', '**a _b** c_'],
      ['closed out of order', '~~a **b~~ c**'],
      ['unclosed code and links', '`code [label](https://x.example **'],
      ['markers around tags', '**<b>**</b>__'],
    ])('keeps tags balanced for %s markers', (_name, markdown) => {
      // Act
      const result = html(markdown);

      // Assess
      expect(balancedTags(result)).toBe(true);
      expect(result).not.toMatch(/<(?!\/?(p|b|i|u|s|code|a)[ >])/);
    });

    it('shows 10,000 * in a row as they are', () => {
      expect(html('*'.repeat(10_000))).toBe(`<p>${'*'.repeat(10_000)}</p>`);
    });

    it('has a measure of growth that tells quadratic time from linear', () => {
      // Prepare: looks back over everything before each character.
      const quadratic = (input: string) => [...input].map((_, i) => input.lastIndexOf('x', i - 1) + input.slice(0, i).split('*').length);

      // Act
      const ratio = growth(quadratic, (n) => '*'.repeat(n), 400);

      // Assess
      expect(ratio).toBeGreaterThan(4);
    });

    it.each([
      ['a run of *', (n: number) => '*'.repeat(n)],
      ['unclosed openers', (n: number) => '**a '.repeat(n / 4)],
      ['unclosed underscores', (n: number) => '_a '.repeat(n / 3)],
      ['unclosed brackets', (n: number) => '['.repeat(n)],
      ['labels without targets', (n: number) => '[a]('.repeat(n / 4)],
      ['backtick runs of many lengths', (n: number) => Array.from({ length: n / 26 }, (_, i) => '`'.repeat((i % 50) + 1) + 'x').join('')],
      ['unclosed angle tokens', (n: number) => '<@1<t:1<https://x'.repeat(n / 17)],
      ['crossed markers', (n: number) => '**a _b ~~c ||d '.repeat(n / 15)],
      ['quote and list lines', (n: number) => '> a\n- b\n1. c\n'.repeat(n / 15)],
    ])('takes time linear in the input for %s: 16× the input, under 4× the time of 16 runs', (_name, input) => {
      // Act
      const ratio = growth(markdownToHtml, input, 5_000);

      // Assess
      expect(ratio).toBeLessThan(4);
    });
  });
});

describe('inline', () => {
  it('converts a value without wrapping it in a block', () => {
    expect(inline('[a/b](https://x.example/) *ref*')).toBe('<a href="https://x.example/">a/b</a> <i>ref</i>');
  });
});

describe('markdownToText', () => {
  it('gives the text a reader sees, for the renderer to escape', () => {
    expect(markdownToText('**Uptime Kuma** [Run #4](https://x.example/) &lt; `a<b` my\\_job')).toBe('Uptime Kuma Run #4 &lt; a<b my_job');
  });
});
