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

    const [message] = grafana.toMessages(payload, undefined);

    expect(renderMessage(message!).join('')).toContain(message!.status === 'firing' ? '🔥 FIRING' : '✅ RESOLVED');
  });

  it('links the image, dashboard, panel and silence, and attaches the panel image', () => {
    const [message] = grafana.toMessages(parse('firing_with_image_dashboard_panel_urls_zulip.json'), undefined);

    expect(message!.links.map((l) => l.label)).toEqual(['Dashboard', 'Panel', 'Image', 'Silence', 'Source']);
    expect(message!.attachments).toEqual([
      { kind: 'url', url: 'https://grafana.com/assets/img/blog/mixed_styles.png', accept: 'image/' },
    ]);
    expect(visibleText(message!)).toContain('Values: A=2473545728, B=0, C=1, minute=9');
  });

  it('never renders empty dashboard or panel URLs as links', () => {
    const [message] = grafana.toMessages(parse('firing_two_alerts_grafana_docs.json'), undefined);
    const html = renderMessage(message!).join('');

    expect(html).not.toContain('href=""');
    expect(html).not.toContain('>Dashboard<');
    expect(html).not.toContain('>Panel<');
    expect(html).toContain('>Silence<');
  });

  it('shows resolved alerts inside a firing group as resolved', () => {
    const [message] = grafana.toMessages(parse('firing_mixed_firing_and_resolved_zulip.json'), undefined);

    expect(message!.status).toBe('firing');
    expect(message!.items.map((i) => i.status)).toEqual(['resolved', 'resolved', 'firing']);
    expect(visibleText(message!)).toContain('Alerts: 1 firing, 2 resolved');
  });

  it('gives a resolved alert no silence link', () => {
    const [message] = grafana.toMessages(parse('resolved_state_ok_zulip.json'), undefined);

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
});
