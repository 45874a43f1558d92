import https from 'node:https';
import { previewPayload, type PreviewSettings } from '../../lambda/render/preview';
import { readDeliverSettings } from '../../lambda/runtime/config';
import { BadRequestError, NotFoundError } from '../../lambda/runtime/errors';
import { fixtureBytes } from '../support/fixtures';
import { sendHook, startTestRelay } from '../support/relay';

const settings = (sourceSettings: object = {}, team: Record<string, string> = {}): PreviewSettings =>
  readDeliverSettings({
    ...team,
    CHANNELS: JSON.stringify({ default: 'ops-space', ci: 'ci-space' }),
    SOURCE_SETTINGS: JSON.stringify(sourceSettings),
    S3_BUCKETS: JSON.stringify([{ name: 'unwraptestevents-bucket-683517028648' }]),
    STATE_TTL_SECONDS: '60',
  });

const fixture = (folder: string, name: string): string => fixtureBytes(folder, name).toString('utf8');

describe('previewPayload', () => {
  it("applies the team's templates, routes and mentions as the functions do", () => {
    // Prepare
    const body = fixture('alertmanager', 'resolved_three_alerts_capture.json');
    const team = {
      TEMPLATES: JSON.stringify({ alertmanager: { title: 'Templated: {{ message.title }}' } }),
      ROUTES: JSON.stringify([{ match: { source: 'alertmanager' }, channel: 'ci' }]),
      MENTIONS: JSON.stringify({
        targets: { oncall: { id: 'oncall-id', name: 'On call', type: 'group' } },
        rules: [{ match: { source: 'alertmanager' }, mention: ['oncall'] }],
      }),
    };

    // Act
    const [previewed] = previewPayload({ source: 'alertmanager', body }, settings({}, team));
    const dropped = previewPayload({ source: 'alertmanager', body }, settings({}, { ROUTES: JSON.stringify([{ match: { source: 'alertmanager' }, drop: true }]) }));

    // Assess
    expect(previewed!.channel).toBe('ci');
    expect(previewed!.bodyTexts[0]).toContain('Templated: ');
    expect(previewed!.bodyTexts[0]).toMatch(/^<p><mention id="oncall-id" type="group" value="On call">@On call<\/mention><\/p>/);
    expect(dropped).toEqual([]);
  });

  it('renders exactly what the relay posts for the same payload', async () => {
    // Prepare
    const body = fixture('alertmanager', 'resolved_three_alerts_capture.json');
    const relay = await startTestRelay();
    try {
      await sendHook(relay, '/hooks/alertmanager', body);
      await relay.queue.idle();

      // Act
      const [previewed] = previewPayload({ source: 'alertmanager', body }, settings());

      // Assess
      expect(previewed!.bodyTexts).toEqual(relay.standIn!.messages.map((m) => m.bodyText));
    } finally {
      await relay.close();
    }
  });

  it('says an AWS event through its envelopes, as deliver says it', () => {
    // Act
    const [previewed] = previewPayload({ source: 's3', body: fixture('s3', 'sqs_wrapping_sns_wrapping_s3_event.json'), channel: 'ci' }, settings());

    // Assess
    expect(previewed!.channel).toBe('ci');
    expect(previewed!.message.attachments).toEqual([expect.objectContaining({ kind: 's3' })]);
    expect(previewed!.bodyTexts[0]).toContain('<b>');
  });

  it("applies the team's source settings", () => {
    // Prepare
    const request = { source: 'github', body: fixture('github', 'workflow_run_in_progress_capture.json'), headers: { 'X-GitHub-Event': 'workflow_run' } };

    // Act
    const quiet = previewPayload(request, settings());
    const told = previewPayload(request, settings({ github: { inProgress: true } }));

    // Assess
    expect(quiet).toEqual([]);
    expect(told).toHaveLength(1);
  });

  it('takes plain text for the senders that post text', () => {
    // Act
    const [previewed] = previewPayload({ source: 'generic', body: 'Deploy <b>done</b>' }, settings());

    // Assess
    expect(previewed!.bodyTexts[0]).toContain('Deploy &lt;b&gt;done&lt;/b&gt;');
  });

  it('says nothing of an SNS subscription confirmation, and confirms nothing', () => {
    // Prepare: the SNS source confirms by GETting the SubscribeURL over node:https (the relay's HTTP exchange, not
    // fetch), so that is what is watched; a confirmation that did start is refused here rather than reach AWS.
    const requested = jest.spyOn(https, 'request').mockImplementation(() => {
      throw new Error('preview made an HTTPS request');
    });

    try {
      // Act
      const previewed = previewPayload({ source: 'sns', body: fixture('aws_cloudwatch', 'sns_https_subscription_confirmation_aws_docs.json') }, settings());

      // Assess
      expect(previewed).toEqual([]);
      expect(requested).not.toHaveBeenCalled();
    } finally {
      requested.mockRestore();
    }
  });

  it('refuses what the relay would refuse, naming the problem', () => {
    // Act and assess
    expect(() => previewPayload({ source: 'nagios', body: '{}' }, settings())).toThrow(NotFoundError);
    expect(() => previewPayload({ source: 'generic', body: 'x', channel: 'sales' }, settings())).toThrow(/unknown channel "sales"; configured: default, ci/);
    expect(() => previewPayload({ source: 'alertmanager', body: '{"alerts": 3}' }, settings())).toThrow(BadRequestError);
    expect(() => previewPayload({ source: 'alertmanager', body: '{"alerts": 3}' }, settings())).toThrow(/invalid alertmanager payload: /);
  });
});
