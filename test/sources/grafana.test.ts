import * as v from 'valibot';
import { grafana, GrafanaSchema } from '../../lambda/sources/grafana';
import { renderMessage } from '../../lambda/render/body-text';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { visibleText } from '../support/render-text';

const parse = (name: string) => v.parse(GrafanaSchema, fixtureJson('grafana', name));

describe('grafana source', () => {
  it.each(fixtureNames('grafana'))('accepts and renders %s', (name) => {
    const payload = parse(name);

    const [message] = grafana.toMessages(payload, { useSenderText: false });

    expect(renderMessage(message!).join('')).toContain(message!.status === 'firing' ? '🔥 FIRING' : '✅ RESOLVED');
  });

  it('links the image, dashboard, panel and silence, and attaches the panel image', () => {
    const [message] = grafana.toMessages(parse('firing_with_image_dashboard_panel_urls_zulip.json'), { useSenderText: false });

    expect(message!.links.map((l) => l.label)).toEqual(['Dashboard', 'Panel', 'Image', 'Silence', 'Source']);
    expect(message!.attachments).toEqual([
      { kind: 'url', url: 'https://grafana.com/assets/img/blog/mixed_styles.png', accept: 'image/' },
    ]);
    expect(visibleText(message!)).toContain('Values: A=2473545728, B=0, C=1, minute=9');
  });

  it('never renders empty dashboard or panel URLs as links', () => {
    const [message] = grafana.toMessages(parse('firing_two_alerts_grafana_docs.json'), { useSenderText: false });
    const html = renderMessage(message!).join('');

    expect(html).not.toContain('href=""');
    expect(html).not.toContain('>Dashboard<');
    expect(html).not.toContain('>Panel<');
    expect(html).toContain('>Silence<');
  });

  it('shows resolved alerts inside a firing group as resolved', () => {
    const [message] = grafana.toMessages(parse('firing_mixed_firing_and_resolved_zulip.json'), { useSenderText: false });

    expect(message!.status).toBe('firing');
    expect(message!.items.map((i) => i.status)).toEqual(['resolved', 'resolved', 'firing']);
    expect(visibleText(message!)).toContain('Alerts: 1 firing, 2 resolved');
  });

  it('gives a resolved alert no silence link', () => {
    const [message] = grafana.toMessages(parse('resolved_state_ok_zulip.json'), { useSenderText: false });

    expect(message!.status).toBe('resolved');
    expect(message!.links.map((l) => l.label)).not.toContain('Silence');
  });

  it('rejects an alert with an unknown status, naming the field', () => {
    const payload = fixtureJson('grafana', 'firing_two_alerts_grafana_docs.json');
    payload.alerts[1].status = 'exploded';

    const result = v.safeParse(GrafanaSchema, payload);

    expect(result.success).toBe(false);
    expect(v.getDotPath(result.issues![0]!)).toBe('alerts.1.status');
  });

  it('refuses an expression value that is an object, naming it, instead of failing to show it', async () => {
    // Prepare: an object whose own `toString` is not a function cannot be turned into text at all.
    const payload = fixtureJson('grafana', 'firing_two_alerts_grafana_docs.json');
    payload.alerts[0].values.B = { toString: 'not a function' };
    const { deps, queued } = testIntake();

    // Act
    const response = await ingestWebhook(webhookRequest('/hooks/grafana', JSON.stringify(payload)), deps);

    // Assess
    expect(response).toMatchObject({
      statusCode: 400,
      body: { error: 'bad_request', field: 'alerts.0.values.B', message: expect.stringContaining('must be a number') },
    });
    expect(queued).toEqual([]);
  });

  describe('with useSenderText', () => {
    /** A fixture through intake with the team's settings, as queued and rendered. */
    async function said(payload: unknown, settings: Record<string, unknown>) {
      const { deps, queued } = testIntake({ settings });
      const response = await ingestWebhook(webhookRequest('/hooks/grafana', JSON.stringify(payload)), deps);
      expect(response.statusCode).toBe(202);
      return { message: queued[0]!.message, html: renderMessage(queued[0]!.message).join('') };
    }

    it('takes the contact point\'s title and message as the title and text, the rest still the relay\'s', async () => {
      // Prepare
      const payload = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');

      // Act
      const own = await said(payload, { grafana: { useSenderText: true } });
      const relays = await said(payload, {});

      // Assess
      expect(own.message.title).toBe('[FIRING:1] Memory (copy) device (true)');
      expect(own.message.summary).toBe(payload.message.trim());
      expect(own.html).toMatch(/^<p><b>🔥 FIRING · \[FIRING:1\] Memory \(copy\) device \(true\)<\/b><\/p><p>\*\*Firing\*\*<br><br>Value: A=2\.473545728e\+09/);
      expect(relays.message.title).toBe('Memory (copy)');
      expect(relays.message.summary).toBe('High memory usage');
      expect({ ...own.message, title: '', summary: '' }).toEqual({ ...relays.message, title: '', summary: '' });
    });

    it('keeps markup in the sender\'s title and message as text', async () => {
      // Prepare
      const payload = fixtureJson('grafana', 'firing_two_alerts_grafana_docs.json');
      payload.title = '<img src=x onerror=alert(1)> [FIRING:2]';
      payload.message = '<script>alert("x")</script>\n<mention id="all">everyone</mention> & <a href="javascript:alert(1)">here</a>';

      // Act
      const { html } = await said(payload, { grafana: { useSenderText: true } });

      // Assess
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; [FIRING:2]</b>');
      expect(html).toContain(
        '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;mention id=&quot;all&quot;&gt;everyone&lt;/mention&gt; &amp; &lt;a href=&quot;javascript:alert(1)&quot;&gt;here&lt;/a&gt;</p>',
      );
      expect(html).not.toMatch(/<(script|img|mention)|href="javascript/);
    });

    it('falls back to the relay\'s title and text where the sender sent none', async () => {
      // Prepare
      const payload = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');
      payload.title = '  ';
      delete payload.message;

      // Act
      const { message } = await said(payload, { grafana: { useSenderText: true } });

      // Assess
      expect(message.title).toBe('Memory (copy)');
      expect(message.summary).toBe('High memory usage');
    });
  });
});
