import * as v from 'valibot';
import { alertmanager, AlertmanagerSchema } from '../../lambda/sources/alertmanager';
import { renderMessage } from '../../lambda/render/body-text';
import { fixtureJson, fixtureNames } from '../support/fixtures';
import { visibleText } from '../support/render-text';

const parse = (name: string) => v.parse(AlertmanagerSchema, fixtureJson('alertmanager', name));

describe('alertmanager source', () => {
  it.each(fixtureNames('alertmanager'))('accepts and renders %s', (name) => {
    const payload = parse(name);

    const [message, ...rest] = alertmanager.toMessages(payload, { useSenderText: false });

    expect(rest).toHaveLength(0);
    expect(message!.status).toBe(payload.status === 'firing' && payload.alerts.length === 1 ? payload.alerts[0]!.status : payload.status);
    const html = renderMessage(message!).join('');
    expect(html).toContain(payload.status === 'firing' ? 'FIRING' : 'RESOLVED');
    expect(html).not.toMatch(/<(?!\/?(p|b|i|br|ul|li|a)\b)[^>]*>/);
  });

  it('tells a resolved group with common labels once and each alert on its own line', () => {
    const payload = parse('resolved_three_alerts_capture.json');

    const [message] = alertmanager.toMessages(payload, { useSenderText: false });
    const text = visibleText(message!);

    expect(message!.title).toBe('instance-down');
    expect(message!.items).toHaveLength(3);
    expect(text).toContain('✅ RESOLVED · instance-down');
    expect(text).toContain('Alerts: 3 resolved');
    expect(text.match(/instance: 10\.3\.205\.79:9100/g)).toHaveLength(1);
    // The severities differ per alert, so each line carries its own.
    expect(text).toContain('severity: orange');
    expect(text).toContain('severity: red');
    expect(text).toContain('down for more than 30 minutes');
  });

  it('keeps unicode alert names intact', () => {
    const [message] = alertmanager.toMessages(parse('firing_three_alerts_unicode_cloudeon.json'), { useSenderText: false });

    expect(renderMessage(message!)[0]).toContain('主机CPU使用率');
    expect(message!.severity).toBe('exception');
  });

  it('folds a single-alert group into one head with a silence link', () => {
    const [message] = alertmanager.toMessages(parse('firing_single_alert_v4_legacy.json'), { useSenderText: false });

    expect(message!.items).toHaveLength(0);
    expect(message!.summary).toBe('Something is on fire');
    expect(message!.links.map((l) => l.label)).toEqual(['Source', 'Silence']);
    expect(decodeURIComponent(message!.links[1]!.url)).toContain('{alertname="Fire",severity="critical"}');
  });

  it('says how many alerts the sender truncated', () => {
    const payload = { ...parse('firing_two_alerts_zulip.json'), truncatedAlerts: 7 };

    const [message] = alertmanager.toMessages(payload, { useSenderText: false });

    expect(visibleText(message!)).toContain('and 7 more not shown');
  });

  it('renders each alert by its own status inside a firing group', () => {
    const payload = parse('firing_two_alerts_zulip.json');
    payload.alerts[1]!.status = 'resolved';

    const [message] = alertmanager.toMessages(payload, { useSenderText: false });

    expect(message!.items.map((item) => item.status)).toEqual(['firing', 'resolved']);
    expect(visibleText(message!)).toContain('Alerts: 1 firing, 1 resolved');
  });

  it('gives the same delivery key to a retry and a different one to a new state', () => {
    const firing = parse('firing_single_alert_capture.json');
    const again = parse('firing_single_alert_capture.json');
    const resolved = { ...again, status: 'resolved' as const, alerts: again.alerts.map((a) => ({ ...a, status: 'resolved' as const })) };

    expect(alertmanager.deliveryKey(firing)).toBe(alertmanager.deliveryKey(again));
    expect(alertmanager.deliveryKey(resolved)).not.toBe(alertmanager.deliveryKey(firing));
    expect(alertmanager.deliveryKey(firing)).toMatch(/^alertmanager:[0-9a-f]{40}$/);
  });

  it('rejects a group without alerts, naming the field', () => {
    const payload = { ...fixtureJson('alertmanager', 'firing_two_alerts_zulip.json'), alerts: [] };

    const result = v.safeParse(AlertmanagerSchema, payload);

    expect(result.success).toBe(false);
    expect(v.getDotPath(result.issues![0]!)).toBe('alerts');
  });

  it('escapes labels that look like markup', () => {
    const payload = parse('firing_single_alert_v4_legacy.json');
    payload.alerts[0]!.labels.team = '<script>alert(1)</script>';
    payload.alerts[0]!.annotations.message = '<mention id="x" type="user" value="all">';

    const html = renderMessage(alertmanager.toMessages(payload, { useSenderText: false })[0]!)[0]!;

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<mention');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;mention id=&quot;x&quot;');
  });

  describe('with useSenderText', () => {
    it('takes the annotations the rule templated, summary and description together, as the text', () => {
      // Prepare
      const payload = parse('firing_single_alert_capture.json');

      // Act
      const [own] = alertmanager.toMessages(payload, { useSenderText: true });
      const [relays] = alertmanager.toMessages(payload, { useSenderText: false });

      // Assess
      expect(own!.summary).toBe('Instance 10.3.205.79:9100 down\n10.3.205.79:9100 of job host has been down for more than 120 seconds.');
      expect(own!.fields.map((field) => field.name)).not.toContain('description');
      expect(relays!.summary).toBe('Instance 10.3.205.79:9100 down');
      expect(relays!.fields).toContainEqual({ name: 'description', value: '10.3.205.79:9100 of job host has been down for more than 120 seconds.' });
      expect(renderMessage(own!)[0]).toContain('<p>Instance 10.3.205.79:9100 down<br>10.3.205.79:9100 of job host has been down for more than 120 seconds.</p>');
    });

    it('gives each alert of a group its own words that the group does not share', () => {
      // Prepare
      const payload = parse('firing_two_alerts_zulip.json');

      // Act
      const [message] = alertmanager.toMessages(payload, { useSenderText: true });

      // Assess
      expect(message!.summary).toBe('High CPU core temperature');
      expect(message!.items.map((item) => item.summary)).toEqual(['CPU core temperature is 34.75C', 'CPU core temperature is 17.625C']);
    });

    it('keeps markup in the rule\'s annotations as text', () => {
      // Prepare
      const payload = parse('firing_single_alert_capture.json');
      payload.alerts[0]!.annotations.description = '<b>down</b> & <script>alert(1)</script>';

      // Act
      const [message] = alertmanager.toMessages(payload, { useSenderText: true });

      // Assess
      const html = renderMessage(message!).join('');
      expect(html).toContain('<br>&lt;b&gt;down&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>');
      expect(html).not.toContain('<script');
    });
  });
});
