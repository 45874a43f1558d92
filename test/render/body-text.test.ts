import { chatMessage, type ChatMessage, type Item } from '../../lambda/model/message';
import { MAX_BODY_BYTES, MAX_PARTS, renderMessage, text, wireSize } from '../../lambda/render/body-text';

const alert = (index: number, extra = ''): Item => ({
  status: index % 2 === 0 ? 'firing' : 'resolved',
  title: `Alert ${index}`,
  summary: `instance ${index} is unhappy ${extra}`,
  fields: [{ name: 'instance', value: `host-${index}.example.com:9100` }],
  links: [{ label: 'Source', url: `https://prometheus.example.com/graph?g0.expr=up%7Binstance%3D%22${index}%22%7D` }],
});

const group = (count: number, extra = ''): ChatMessage =>
  chatMessage({ source: 'alertmanager', status: 'firing', title: 'HostDown', items: Array.from({ length: count }, (_, i) => alert(i, extra)) });

describe('renderMessage', () => {
  it('puts status, severity and title on the bold first line', () => {
    const [html] = renderMessage(chatMessage({ source: 'x', status: 'failure', title: 'build', severity: 'critical' }));

    expect(html).toMatch(/^<p><b>❌ FAILED · CRITICAL · build<\/b><\/p>/);
  });

  it('shows the sender\'s own word next to the status, in the headline and in an item, escaped and cut', () => {
    // Prepare
    const message = chatMessage({
      source: 'x',
      status: 'skipped',
      senderStatus: 'SUPERSEDED',
      title: 'deploy',
      items: [{ status: 'failure', senderStatus: `<b>UNSTABLE</b>${'!'.repeat(200)}`, title: 'tests', fields: [], links: [] }],
    });

    // Act
    const [html] = renderMessage(message);

    // Assess
    expect(html).toMatch(/^<p><b>⏭️ SKIPPED \(SUPERSEDED\) · deploy<\/b><\/p>/);
    expect(html).toMatch(/<i>failed \(&lt;b&gt;UNSTABLE&lt;\/b&gt;!+…\)<\/i>/);
    expect(html).not.toContain('!'.repeat(60));
  });

  it('gives every status its own look', () => {
    const statuses = ['firing', 'resolved', 'success', 'failure', 'cancelled', 'timed_out', 'skipped', 'neutral', 'action_required', 'insufficient_data', 'started', 'info'] as const;

    const heads = statuses.map((status) => renderMessage(chatMessage({ source: 'x', status, title: 't' }))[0]!.split('·')[0]);

    expect(new Set(heads).size).toBe(statuses.length);
  });

  it('escapes every payload value, attributes included', () => {
    const message = chatMessage({
      source: 'x',
      status: 'info',
      title: '<b>bold</b>',
      summary: `"quoted" & 'single' <mention id="1">`,
      fields: [{ name: '<i>', value: '<script>alert(1)</script>' }],
      links: [{ label: '<img src=x>', url: 'https://example.com/?a="><script>' }],
    });

    const [html] = renderMessage(message);

    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &#39;single&#39; &lt;mention id=&quot;1&quot;&gt;');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x&gt;</a>');
    expect(html).not.toMatch(/<(script|mention|img|i>)/);
    expect(html).toContain('href="https://example.com/?a=%22%3E%3Cscript%3E"');
  });

  it('drops links that are not http(s)', () => {
    const [html] = renderMessage(
      chatMessage({ source: 'x', status: 'info', title: 't', links: [{ label: 'x', url: 'javascript:alert(1)' }, { label: 'ok', url: 'https://ok.example' }] }),
    );

    expect(html).not.toContain('javascript:');
    expect(html).toContain('>ok</a>');
  });

  it('leaves the user and password out of a link, which everyone in the space would see', () => {
    const link = { label: 'Panel', url: 'https://grafana-user:pa55w0rd@grafana.example/d/1?orgId=1' };

    const [html] = renderMessage(chatMessage({ source: 'x', status: 'info', title: 't', links: [link] }));

    expect(html).toContain('<a href="https://grafana.example/d/1?orgId=1">Panel</a>');
    expect(html).not.toContain('pa55w0rd');
  });

  it('redacts a note before escaping it: a quoted credential and the userinfo of a named URL', () => {
    const note = '📎 https://u:pa55w0rd@files.example/a.png could not be attached: HTTP 403 — Authorization: Bearer eyJ0eXAi.c2Vj';

    const [html] = renderMessage(chatMessage({ source: 'x', status: 'info', title: 't' }), { notes: [note] });

    expect(html).toContain('<p><i>📎 https://files.example/a.png could not be attached: HTTP 403 — Authorization: Bearer [redacted]</i></p>');
  });

  it('removes control characters and turns line breaks into <br>', () => {
    const [html] = renderMessage(chatMessage({ source: 'x', status: 'info', title: 't', summary: 'a\u0000b\u001bc\nd\r\ne' }));

    expect(html).toContain('<p>abc<br>d<br>e</p>');
  });

  it('splits a long group into parts, each under the size limit, losing no alert', () => {
    const message = group(150);

    const parts = renderMessage(message);

    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    for (const part of parts) expect(wireSize(part)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const joined = parts.join('');
    for (let i = 0; i < 150; i += 1) expect(joined).toContain(`<b>Alert ${i}</b> <i>`);
    expect(parts[0]).toContain(`(part 1/${parts.length})`);
    expect(joined).not.toContain('more not shown');
  });

  it('sums up a group too long for its parts: the first alerts in full, then one line each with counts per status', () => {
    // Prepare
    const message = group(600);

    // Act
    const parts = renderMessage(message);

    // Assess: the first parts show alerts in full, in order; the last one line per alert, in order, as far as they fit.
    expect(parts).toHaveLength(MAX_PARTS);
    for (const part of parts) expect(wireSize(part)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const full = parts.slice(0, -1).join('').match(/<b>Alert \d+<\/b> <i>/g)!.map((m) => Number(/\d+/.exec(m)![0]));
    const summary = parts.at(-1)!;
    const lines = summary.match(/<li>.*?<\/li>/g)!;
    expect(full).toEqual(Array.from({ length: full.length }, (_, i) => i));
    expect(lines[0]).toBe(`<li>${full.length % 2 === 0 ? '🔥' : '✅'} <b>Alert ${full.length}</b> · instance: host-${full.length}.example.com:9100</li>`);
    const rest = 600 - full.length;
    const firing = Math.ceil(rest / 2);
    expect(summary).toContain(`<b>${rest} more</b> (${firing} 🔥 firing, ${rest - firing} ✅ resolved), one line each:`);
    expect(summary).not.toContain('is unhappy');
    expect(summary).toContain(`and ${rest - lines.length} more not shown`);
    expect(lines.length).toBeGreaterThan(100);
  });

  it('counts by status the alerts the relay left out before rendering, and those the sender left out', () => {
    // Prepare
    const message = { ...group(400), omitted: 1_005, omittedByStatus: [{ status: 'resolved' as const, count: 1_000 }] };

    // Act
    const summary = renderMessage(message).at(-1)!;

    // Assess: the sender's 5 are counted in the total, with no status.
    const full = renderMessage(message).slice(0, -1).join('').match(/<b>Alert \d+<\/b> <i>/g)!.length;
    const rest = 400 - full;
    const firing = Math.ceil(rest / 2);
    expect(summary).toContain(`<b>${(rest + 1_005).toLocaleString('en-US')} more</b> (${(1_000 + rest - firing).toLocaleString('en-US')} ✅ resolved, ${firing} 🔥 firing)`);
  });

  it('caps the parts and counts the alerts left out', () => {
    const message = group(5000, 'x'.repeat(300));

    const parts = renderMessage(message);

    expect(parts).toHaveLength(MAX_PARTS);
    const shown = parts.join('').match(/<li>/g)!.length;
    expect(parts[MAX_PARTS - 1]).toContain(`and ${(5000 - shown).toLocaleString('en-US')} more not shown`);
  });

  it('stays under the limit whatever the values hold', () => {
    const huge = '<&>"\u0001'.repeat(20_000);
    const message = chatMessage({
      source: 'x',
      status: 'firing',
      title: huge,
      severity: huge,
      summary: huge,
      fields: Array.from({ length: 200 }, (_, i) => ({ name: `${huge}${i}`, value: huge })),
      links: Array.from({ length: 50 }, (_, i) => ({ label: huge, url: `https://example.com/${'a'.repeat(3000)}${i}` })),
      items: Array.from({ length: 30 }, () => ({ status: 'firing' as const, title: huge, summary: huge, fields: [{ name: huge, value: huge }], links: [] })),
    });

    const parts = renderMessage(message, { notes: [huge, huge] });

    for (const part of parts) expect(wireSize(part)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(parts[0]).toContain('… ');
  });
});

describe('text', () => {
  it('cuts at a grapheme boundary and marks the cut', () => {
    const family = '👨‍👩‍👧‍👦';

    const cut = text(`ab${family}${family}`, Buffer.byteLength(`ab${family}…`) + 3);

    expect(cut).toBe(`ab${family}…`);
  });

  it('never cuts inside an entity', () => {
    const cut = text('a&b&c&d', 12);

    expect(cut).toBe('a&amp;b…');
  });

  it('leaves short text whole', () => {
    expect(text('日本語 ✓', 100)).toBe('日本語 ✓');
  });
});

describe('renderMessage with markup', () => {
  const paragraph = (i: number): string => `<p>paragraph <b>${i}</b> ${'lorem ipsum '.repeat(40)}</p>`;

  it('shows the markup blocks after the summary, as the relay wrote them', () => {
    // Prepare
    const message = chatMessage({ source: 'x', status: 'info', title: 't', summary: 'one line', markup: ['<p><b>bold</b> &amp; <i>it</i></p>', '<pre>code</pre>'] });

    // Act
    const [html] = renderMessage(message);

    // Assess
    expect(html).toContain('<p>one line</p><p><b>bold</b> &amp; <i>it</i></p><pre>code</pre>');
  });

  it('splits long markup between blocks, each part under the limit, losing no block', () => {
    // Prepare: about 40 KB of blocks
    const message = chatMessage({ source: 'x', status: 'info', title: 't', markup: Array.from({ length: 80 }, (_, i) => paragraph(i)) });

    // Act
    const parts = renderMessage(message);

    // Assess
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(wireSize(part)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const shown = parts.join('').match(/<p>paragraph <b>\d+<\/b>/g)!;
    expect(shown).toHaveLength(80);
    for (const part of parts) expect(part.match(/<p>/g)!.length).toBe(part.match(/<\/p>/g)!.length);
  });

  it('cuts a block larger than a part between tags, and says when text is left out', () => {
    // Prepare: one block larger than any part, then more than the parts hold
    const huge = `<blockquote><p>${'<b>x</b> &amp; '.repeat(5_000)}</p></blockquote>`;
    const message = chatMessage({ source: 'x', status: 'info', title: 't', markup: [huge, ...Array.from({ length: 200 }, (_, i) => paragraph(i))] });

    // Act
    const parts = renderMessage(message);

    // Assess
    expect(parts).toHaveLength(MAX_PARTS);
    for (const part of parts) expect(wireSize(part)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(parts.join('')).toMatch(/…<\/p><\/blockquote>/);
    expect(parts.at(-1)).toContain('the rest of the text is not shown');
  });

  it('puts a group’s items after the markup, in a list of their own', () => {
    // Prepare
    const message = { ...group(3), markup: ['<p>intro</p>'] };

    // Act
    const [html] = renderMessage(message);

    // Assess
    expect(html).toMatch(/<p>intro<\/p><ul><li>🔥 <b>Alert 0<\/b>.*<\/ul>$/);
  });
});
