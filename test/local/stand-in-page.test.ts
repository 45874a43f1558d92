import { messageCards, previewCards, readableSize, type PageMessage } from '../../lambda/local/stand-in-page';
import { chatMessage } from '../../lambda/model/message';

const message = (overrides: Partial<PageMessage> = {}): PageMessage => ({
  created: '2026-12-06T10:00:00.000Z',
  spaceId: 'ops-space',
  bodyText: '<p><b>🔥 FIRING · Disk</b></p>',
  edits: 0,
  files: [],
  ...overrides,
});

describe('the local page', () => {
  it('keeps every bodyText inside a sandboxed frame that allows no script', () => {
    // Act
    const html = messageCards([message({ bodyText: '<script>alert("x")</script><img src=x onerror="alert(1)">' })]);

    // Assess: the only tag outside the frame's attribute is the frame itself.
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    const sandbox = /<iframe [^>]*sandbox="([^"]*)"/.exec(html)?.[1];
    expect(sandbox?.split(' ')).not.toContain('allow-scripts');
    expect(html).toContain('Content-Security-Policy&quot; content=&quot;default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;&quot;');
  });

  it('shows the newest first, edits, files with name and size, and images through their thumbnail', () => {
    // Prepare
    const older = message({ bodyText: 'older' });
    const newer = message({
      bodyText: 'newer',
      edits: 2,
      files: [
        { url: '/stand-in/files/a', name: 'report.pdf', size: 2_560, fileType: 'document' },
        { url: '/stand-in/files/b', name: 'panel.png', size: 50_000, fileType: 'image', thumbnailUrl: '/stand-in/files/t' },
      ],
    });

    // Act
    const html = messageCards([older, newer]);

    // Assess
    expect(html.indexOf('newer')).toBeLessThan(html.indexOf('older'));
    expect(html).toContain('<span class="edited">edited 2×</span>');
    expect(html).toContain('<a href="/stand-in/files/a" target="_blank">report.pdf</a> <span class="size">2.5 KB</span> <span class="kind">document</span>');
    expect(html).toContain('<a href="/stand-in/files/b" target="_blank"><img src="/stand-in/files/t" alt="panel.png"></a><figcaption>panel.png · 48.8 KB · thumbnail</figcaption>');
  });

  it('shows a preview with each post and the files it would attach, marked as not sent', () => {
    // Act
    const html = previewCards([
      {
        channel: 'ci',
        message: chatMessage({ source: 's3', status: 'info', title: 'x', attachments: [{ kind: 's3', bucket: 'reports', key: 'daily/a.pdf' }] }),
        bodyTexts: ['part one', 'part two'],
      },
    ]);

    // Assess
    expect(html).toContain('message 1 of 1 · channel ci · 2 posts · not sent');
    expect(html.match(/<iframe /g)).toHaveLength(2);
    expect(html).toContain('📎 s3://reports/daily/a.pdf');
    expect(previewCards([])).toContain('Nothing to post');
  });

  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1536, '1.5 KB'],
    [5 * 1024 ** 3, '5.0 GB'],
  ])('says %d bytes as %s', (bytes, words) => {
    // Act and assess
    expect(readableSize(bytes)).toBe(words);
  });
});
