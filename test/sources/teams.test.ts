import * as v from 'valibot';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { toApiGateway } from '../../lambda/ingest/api-gateway';
import { renderMessage } from '../../lambda/render/body-text';
import { teams, TeamsSchema } from '../../lambda/sources/teams';
import { fixtureBytes, fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { visibleText } from '../support/render-text';
import { unshownWhile } from '../support/unshown';

const SECRET = 'inbound-secret';
const say = (payload: unknown) => teams.toMessages(v.parse(TeamsSchema, payload), undefined)[0]!;

/** A Workflows message carrying one Adaptive Card with `body`. */
const workflows = (body: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body, ...extra } }],
});

/** Each fixture with the status and title it is said with. */
const CASES: readonly (readonly [fixture: string, status: string, title: string])[] = [
  ['alertmanager_msteams_firing_messagecard.json', 'firing', '[FIRING:1] InstanceDown (v critical core)'],
  ['connector_trello_example_messagecard.json', 'info', 'Project Tango'],
  ['grafana_firing_workflows_adaptive_card.json', 'firing', '[FIRING:1]  (val1)'],
  ['jenkins_adaptivecard_success_workflows.json', 'success', 'myFirst_Job_: Build #167 Success'],
  ['jenkins_completed_failed_messagecard.json', 'failure', 'myFirst_Job_: Build #167 Failed'],
  ['uptime_kuma_down_messagecard.json', 'failure', '🔴 Application [payments-api] went down'],
  ['workflows_post_to_channel_ms_docs.json', 'info', 'Microsoft Teams message'],
];

describe('teams source', () => {
  it.each(CASES)('accepts and renders %s', (name, status, title) => {
    // Act
    const message = say(fixtureJson('teams', name));

    // Assess
    expect(message).toMatchObject({ source: 'teams', status, title });
    expect(renderMessage(message).join('')).toContain(title.replace(/&/g, '&amp;'));
  });

  it('has a case above for every fixture', () => {
    expect(CASES.map(([fixture]) => fixture).sort()).toEqual(fixtureNames('teams'));
  });

  it('shows a MessageCard’s sections: activity, facts with markdown values, buttons as links', () => {
    // Act
    const message = say(fixtureJson('teams', 'connector_trello_example_messagecard.json'));

    // Assess
    expect(message.markup).toEqual([
      '<p><b>John Doe commented</b></p>',
      '<p><i>On Project Tango</i></p>',
      '<p>&quot;Here are the designs&quot;</p>',
      '<p><b>Labels</b>: Designs, redlines<br><b>Due date</b>: Dec 7, 2016<br><b>Attachments</b>: <a href="http://connectorsdemo.azurewebsites.net/images/WIN14_Jan_04.jpg">final.jpg</a></p>',
    ]);
    expect(message.links[0]).toEqual({ label: 'View in Trello', url: 'https://trello.com/c/1101/' });
  });

  it('attaches a card’s images as URL attachments that must be images, and links them', () => {
    // Act
    const message = say(fixtureJson('teams', 'connector_trello_example_messagecard.json'));

    // Assess
    expect(message.attachments).toHaveLength(3);
    expect(message.attachments[0]).toEqual({ kind: 'url', url: 'http://connectorsdemo.azurewebsites.net/images/MicrosoftSurface_024_Cafe_OH-06315_VS_R1c.jpg', accept: 'image/' });
    expect(message.links.map((link) => link.label)).toEqual(['View in Trello', 'Image 1', 'Image 2', 'Image 3']);
  });

  it('takes an OpenUri button’s default target', () => {
    // Prepare
    const card = { '@type': 'MessageCard', title: 'Deploy', potentialAction: [{ '@type': 'OpenUri', name: 'Open run', targets: [{ os: 'iOS', uri: 'https://ios.example/' }, { os: 'default', uri: 'https://ci.example/run/1' }] }] };

    // Act
    const message = say(card);

    // Assess
    expect(message.links).toEqual([{ label: 'Open run', url: 'https://ci.example/run/1' }]);
  });

  it('walks Containers and ColumnSets, and shows FactSets, Images and OpenUrl actions of a Workflows card', () => {
    // Prepare
    const payload = workflows(
      [
        { type: 'TextBlock', text: 'Deploy **v42**', weight: 'Bolder', size: 'Large' },
        { type: 'Container', style: 'good', items: [{ type: 'ColumnSet', columns: [{ type: 'Column', items: [{ type: 'TextBlock', text: 'all _green_' }] }] }] },
        { type: 'FactSet', facts: [{ title: 'Env', value: '`prod`' }] },
        { type: 'Image', url: 'https://grafana.example/render/panel.png' },
        { type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: 'Pipeline', url: 'https://ci.example/p/42' }] },
      ],
      { actions: [{ type: 'Action.OpenUrl', title: 'Changelog', url: 'https://ci.example/c' }] },
    );

    // Act
    const message = say(payload);

    // Assess
    expect(message).toMatchObject({ title: 'Deploy v42', status: 'success' });
    expect(message.markup).toEqual(['<p>all <i>green</i></p>', '<p><b>Env</b>: <code>prod</code></p>']);
    expect(message.attachments).toEqual([{ kind: 'url', url: 'https://grafana.example/render/panel.png', accept: 'image/' }]);
    expect(message.links.map((link) => link.label)).toEqual(['Pipeline', 'Changelog', 'Image']);
  });

  it('reads a bare Adaptive Card, as some flows post it', () => {
    expect(say({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'hello', style: 'heading' }] }).title).toBe('hello');
  });

  it.each([
    ['a red theme colour', { title: 'Build', themeColor: '#CC0003' }, 'failure'],
    ['a green theme colour', { title: 'Build', themeColor: '2DC72D' }, 'success'],
    ['an orange theme colour', { title: 'Build', themeColor: 'FFA500' }, 'info'],
    ['a resolved title over a red colour', { title: '[RESOLVED] HostDown', themeColor: '8C1A1A' }, 'resolved'],
    ['an attention TextBlock', workflows([{ type: 'TextBlock', text: 'x', color: 'attention', weight: 'bolder' }]), 'failure'],
  ])('reads the status from %s', (_name, payload, status) => {
    expect(say(payload).status).toBe(status);
  });

  it('escapes the payload’s markup, and never links a javascript: URL, counting it', () => {
    // Prepare
    const card = { title: '<b>t</b>', text: '<script>alert(1)</script> [click](javascript:alert(1)) <img src=x>' };

    // Act
    const { result: message, total, byKind } = unshownWhile(() => say(card));
    const html = renderMessage(message).join('');

    // Assess
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; click &lt;img src=x&gt;');
    expect(html).toContain('&lt;b&gt;t&lt;/b&gt;');
    expect(html).not.toMatch(/<(script|img)|javascript:/);
    expect({ total, byKind }).toEqual({ total: 1, byKind: { 'unsafe-link': 1 } });
  });

  it('leaves out what a chat cannot hold, counted: inputs, submit buttons, post-back actions, data: images', () => {
    // Prepare
    const payload = workflows([
      { type: 'TextBlock', text: 'Approve?', weight: 'bolder' },
      { type: 'Input.Text', id: 'reason' },
      { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Approve' }] },
      { type: 'Image', url: 'data:image/png;base64,iVBORw0KGgo=' },
    ]);

    // Act
    const { result: message, total, byKind } = unshownWhile(() => say(payload));

    // Assess
    expect(message).toMatchObject({ title: 'Approve?', markup: [], links: [], attachments: [] });
    expect({ total, byKind }).toEqual({ total: 3, byKind: { 'card-element': 1, action: 1, image: 1 } });
  });

  it('cuts a huge text before converting it, and keeps the message within its posts', () => {
    // Act
    const message = say({ title: 'big', text: `${'word '.repeat(20_000)}END` });

    // Assess
    expect(message.markup!.join('')).not.toContain('END');
    expect(renderMessage(message).length).toBeLessThanOrEqual(4);
  });

  it.each([
    ['an empty object', {}, undefined],
    ['a card of another kind', { attachments: [{ contentType: 'application/vnd.microsoft.card.hero', content: {} }] }, 'attachments.0.contentType'],
    ['an element without a type', workflows([{ text: 'x' }]), 'attachments.0.content.body.0.type'],
    ['a fact that is an object', { title: 't', sections: [{ facts: [{ name: {} }] }] }, 'sections.0.facts.0.name'],
  ])('rejects %s, naming the field of the kind it is', (_name, payload, field) => {
    // Act
    const result = v.safeParse(TeamsSchema, payload);

    // Assess
    expect(result.success).toBe(false);
    expect(v.getDotPath(result.issues![0]!) ?? undefined).toBe(field);
  });

  it.each(['constructor', '__proto__', 'toString'])('takes a colour or style named %s as no look at all', (word) => {
    // Act
    const message = say(workflows([{ type: 'TextBlock', text: 'Deploy done', color: word, style: word }]));

    // Assess
    expect(message.status).toBe('info');
    expect(renderMessage(message).join('')).toContain('Deploy done');
  });

  it('keys a retried identical body to one delivery, another body to another', () => {
    // Prepare
    const card = fixtureJson('teams', 'jenkins_completed_failed_messagecard.json');
    const parse = (payload: unknown) => v.parse(TeamsSchema, payload);

    // Act
    const first = teams.deliveryKey(parse(card));
    const again = teams.deliveryKey(parse(JSON.parse(JSON.stringify(card))));
    const other = teams.deliveryKey(parse({ ...card, summary: 'another build' }));

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  describe('over HTTP', () => {
    const post = (path: string, name = 'jenkins_completed_failed_messagecard.json') => {
      const { deps, queued } = testIntake({ secret: SECRET });
      return { queued, answer: ingestWebhook(webhookRequest(path, fixtureBytes('teams', name)), deps) };
    };

    it('answers 200 with 1, as Teams does, with the secret in the path', async () => {
      // Act
      const { answer, queued } = post(`/hooks/teams/builds/${SECRET}`);

      // Assess
      expect(toApiGateway(await answer)).toMatchObject({ statusCode: 200, body: '1' });
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ channel: 'builds', message: { source: 'teams', status: 'failure' } });
      expect(visibleText(queued[0]!.message)).toContain('Build Failed');
    });

    it('refuses a wrong secret in the path with 401 and queues nothing', async () => {
      // Act
      const { answer, queued } = post('/hooks/teams/default/guess');

      // Assess
      expect((await answer).statusCode).toBe(401);
      expect(queued).toEqual([]);
    });
  });
});
