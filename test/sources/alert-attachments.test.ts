/** Files alerts refer to: Grafana's panel screenshot, and S3 objects named in Alertmanager and Grafana annotations. */
import * as v from 'valibot';
import { alertmanager } from '../../lambda/sources/alertmanager';
import { grafana } from '../../lambda/sources/grafana';
import { fixtureJson } from '../support/fixtures';

it('attaches the Grafana panel screenshot as an image URL', () => {
  const group = v.parse(grafana.schema, fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json'));
  const [message] = grafana.toMessages(group, { useSenderText: false });

  expect(message!.attachments).toEqual([{ kind: 'url', url: 'https://grafana.com/assets/img/blog/mixed_styles.png', accept: 'image/' }]);
});

it('attaches S3 objects named in the annotations of a single Grafana alert, next to its screenshot', () => {
  const payload = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');
  payload.alerts[0].annotations.description = 'Heap dump: s3://dumps/api/heap-1.hprof (taken at 03:12)';

  const [message] = grafana.toMessages(v.parse(grafana.schema, payload), { useSenderText: false });

  expect(message!.attachments).toEqual([
    expect.objectContaining({ kind: 'url' }),
    { kind: 's3', bucket: 'dumps', key: 'api/heap-1.hprof' },
  ]);
});

it('attaches each S3 object of an Alertmanager group once, from common and per-alert annotations', () => {
  const payload = fixtureJson('alertmanager', 'firing_two_alerts_zulip.json');
  payload.commonAnnotations.dashboard_snapshot = 'https://graphs.s3.eu-west-1.amazonaws.com/cpu%20temp.png';
  payload.alerts[0].annotations.report = 's3://reports/andromeda.pdf';
  payload.alerts[1].annotations.report = 's3://reports/andromeda.pdf and https://s3.amazonaws.com/reports/other.pdf';

  const [message] = alertmanager.toMessages(v.parse(alertmanager.schema, payload), { useSenderText: false });

  expect(message!.attachments).toEqual([
    { kind: 's3', bucket: 'graphs', key: 'cpu temp.png' },
    { kind: 's3', bucket: 'reports', key: 'andromeda.pdf' },
    { kind: 's3', bucket: 'reports', key: 'other.pdf' },
  ]);
});

it('attaches nothing when annotations name no S3 object', () => {
  const payload = fixtureJson('alertmanager', 'firing_two_alerts_zulip.json');

  const [message] = alertmanager.toMessages(v.parse(alertmanager.schema, payload), { useSenderText: false });

  expect(message!.attachments).toEqual([]);
});
