/**
 * Secrets never leave the relay: not when Spaces echoes the `Authorization` header in its error bodies (the token
 * would otherwise reach the logs, the dead letters, the `/events` answer and the chat through an attachment note), not
 * when a sender's URL carries a user and password, and not when a webhook carries the inbound secret, right or wrong.
 */
import type * as LocalServer from '../../lambda/local/server';
import type { LocalRelay } from '../../lambda/local/server';
import type { StandInOperation } from '../../lambda/local/spaces-stand-in';
import { chatMessage } from '../../lambda/model/message';
import { REDACTED } from '../../lambda/runtime/redact';
import { fixtureBytes, fixtureJson } from '../support/fixtures';
import { imageServer } from '../support/image-server';
import { captured, loadVerbose, logRecords } from '../support/logs';
import { queuedBody } from '../support/redrive';
import { FAST_QUEUE, sendHook, startTestRelay, WEBHOOK_TOKEN } from '../support/relay';

/** The credential the embedded stand-in takes, and so the one local mode sends it. */
const STAND_IN_TOKEN = 'local-stand-in-token';

const verboseServer = () => loadVerbose(() => require('../../lambda/local/server') as typeof LocalServer);

describe('a Spaces that echoes the Authorization header in its error bodies', () => {
  let relay: LocalRelay | undefined;
  let images: Awaited<ReturnType<typeof imageServer>>;

  beforeAll(async () => {
    images = await imageServer();
  });

  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  afterAll(async () => images.close());

  it('never lets the token into a log line, a dead letter, an answer of the relay or a chat message', async () => {
    // Prepare: which call the stand-in refuses, echoing the credential it was sent
    let echo: { readonly operation: StandInOperation; readonly status: number } | undefined;
    const { startLocalRelay } = verboseServer();
    const auth = { authorization: `Bearer ${WEBHOOK_TOKEN}` };
    const answers: string[] = [];
    const grafana = (imageURL: string): string => {
      const alert = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');
      alert.alerts[0].imageURL = imageURL;
      return JSON.stringify(alert);
    };

    // Act
    const lines = await captured(async () => {
      relay = await startTestRelay(
        {
          queue: { ...FAST_QUEUE, maxReceives: 2 },
          settings: { ATTACHMENT_URL_HOSTS: images.url },
          standInFault: (operation) => (operation === echo?.operation ? { status: echo.status, echoAuthorization: true } : undefined),
        },
        startLocalRelay,
      );
      // A post refused for good: dead-lettered at once, from a webhook and from POST /events.
      echo = { operation: 'post', status: 403 };
      await sendHook(relay, '/hooks/generic', { text: 'refused post' });
      await relay.queue.idle();
      const events = await fetch(`${relay.url}/events`, {
        method: 'POST',
        headers: auth,
        body: queuedBody(chatMessage({ source: 'generic', status: 'info', title: 'refused event' }), 'k-event'),
      });
      answers.push(await events.text());
      // The upload URLs refused: the text goes out with a note about the screenshot.
      echo = { operation: 'getuploadurl', status: 403 };
      await sendHook(relay, '/hooks/grafana', grafana(`${images.url}/render/panel.png`));
      await relay.queue.idle();
      // The token refused even after it was read again: a credential failure, dead-lettered on the last receive.
      echo = { operation: 'post', status: 401 };
      await sendHook(relay, '/hooks/generic', { text: 'refused token' });
      await relay.queue.idle();
      echo = undefined;
      answers.push(await (await fetch(`${relay.url}/dead-letters`, { headers: auth })).text());
    });

    // Assess: each refusal happened and was echoed, and the echo was cut out everywhere.
    const { standIn, queue } = relay!;
    const refused = standIn!.calls.filter((call) => (call.status ?? 0) >= 400).map((call) => `${call.operation} ${call.status}`);
    expect(refused).toEqual(['post 403', 'post 403', 'getuploadurl 403', 'post 401', 'post 401', 'post 401', 'post 401']);
    expect(queue.deadLetters.map((letter) => letter.reason)).toEqual([
      expect.stringMatching(/^Spaces post failed: HTTP 403 — credential \[redacted\] is not allowed here/),
      expect.stringMatching(/^Spaces post failed: HTTP 403 — credential \[redacted\]/),
      expect.stringMatching(/^Spaces credential: Spaces refused it \(HTTP 401 — credential \[redacted\].*\(gave up after 2 receives\)$/),
    ]);
    expect(JSON.parse(answers[0]!)).toMatchObject({ error: 'bad_request', message: expect.stringContaining(REDACTED) });
    const [posted] = standIn!.messages;
    expect(posted!.bodyText).toContain('could not be attached: Spaces getuploadurl failed: HTTP 403 — credential [redacted]');
    const records = logRecords(lines);
    expect(records.map((record) => record.message)).toEqual(
      expect.arrayContaining(['dead-lettered', 'Spaces credential failed; the batch goes back to the queue']),
    );
    const everything = [...lines, ...answers, ...queue.deadLetters.map((letter) => letter.reason), ...standIn!.messages.map((m) => m.bodyText)];
    for (const text of everything) expect(text).not.toContain(STAND_IN_TOKEN);
  });

  it('shows a URL that carries a user and password without them, in the note and in the link', async () => {
    // Prepare
    const { startLocalRelay } = verboseServer();
    const withCredentials = images.url.replace('http://', 'http://grafana-user:pa55w0rd-Img@');
    const alert = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');
    alert.alerts[0].imageURL = `${withCredentials}/render/panel.png`;

    // Act
    const lines = await captured(async () => {
      relay = await startTestRelay({ settings: { ATTACHMENT_URL_HOSTS: images.url } }, startLocalRelay);
      await sendHook(relay, '/hooks/grafana', alert);
      await relay.queue.idle();
    });

    // Assess
    const [posted] = relay!.standIn!.messages;
    expect(posted!.bodyText).toContain(`📎 ${images.url}/render/panel.png could not be attached`);
    expect(posted!.bodyText).toContain(`href="${images.url}/render/panel.png"`);
    for (const text of [posted!.bodyText, ...lines]) {
      expect(text).not.toContain('pa55w0rd-Img');
      expect(text).not.toContain('grafana-user');
    }
  });
});

describe('the inbound secret', () => {
  let relay: LocalRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('is never echoed in an answer or a log line, whether a request carries it or a wrong one', async () => {
    // Prepare
    const secret = 'inbound-Secret-4Kd9Qx';
    const wrong = 'wrong-Secret-7Hb2Wm';
    const { startLocalRelay } = verboseServer();
    const alert = fixtureBytes('alertmanager', 'firing_single_alert_capture.json');
    const basic = (password: string) => `Basic ${Buffer.from(`alertmanager:${password}`).toString('base64')}`;
    const requests: [path: string, authorization: string, body: Buffer | string][] = [
      ['/hooks/alertmanager', `Bearer ${secret}`, alert],
      // The right secret, and a body that quotes it where a list belongs: the validation message would repeat it.
      ['/hooks/alertmanager', `Bearer ${secret}`, JSON.stringify({ ...JSON.parse(alert.toString()), alerts: secret })],
      ['/hooks/alertmanager', `Bearer ${wrong}`, alert],
      ['/hooks/alertmanager', basic(wrong), alert],
      ['/hooks/alertmanager', wrong, alert],
      ['/hooks/alertmanager', secret, alert],
      ['/hooks/alertmanager', `Token ${secret}`, alert],
      ['/events', `Bearer ${wrong}`, alert],
      ['/dead-letters/redrive', `jwt ${secret}`, ''],
    ];
    const answers: { status: number; body: string }[] = [];

    // Act
    const lines = await captured(async () => {
      relay = await startLocalRelay({ port: 0, webhookToken: secret, queue: FAST_QUEUE });
      for (const [path, authorization, body] of requests) {
        const headers = { authorization, 'content-type': 'application/json' };
        const response = await fetch(`${relay.url}${path}`, { method: 'POST', headers, body });
        answers.push({ status: response.status, body: await response.text() });
      }
      await relay.queue.idle();
    });

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([202, 400, 401, 401, 401, 401, 401, 401, 401]);
    const quoted = `alerts: Invalid type: Expected Array but received "${REDACTED}"`;
    expect(JSON.parse(answers[1]!.body)).toMatchObject({ message: expect.stringContaining(quoted) });
    expect(logRecords(lines).filter((record) => record.message === 'webhook rejected')).toHaveLength(6);
    for (const text of [...lines, ...answers.map((answer) => answer.body)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(wrong);
    }
  });
});
