/** A batch through the local relay: duplicates, dead letters, order, storms, resumed attachments, credential outages. */
import http from 'node:http';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { createS3Client } from '../../lambda/attachments/s3';
import { BatchRun } from '../../lambda/deliver/batch';
import { deliverDependencies } from '../../lambda/deliver/dependencies';
import { MemoryPersistenceLayer } from '../../lambda/deliver/idempotency';
import { MemoryStateStore } from '../../lambda/deliver/state-store';
import { chatMessage } from '../../lambda/model/message';
import { notificationsFor } from '../../lambda/model/notification';
import { readDeliverSettings } from '../../lambda/runtime/config';
import { localTokenSecret } from '../../lambda/spaces/credentials';
import type { AddressInfo } from 'node:net';
import { DELIVER_BATCH_SIZE } from '../../infra/limits';
import type { LocalRelay } from '../../lambda/local/server';
import type { Fault } from '../../lambda/local/spaces-stand-in';
import { countTotals } from '../../lambda/runtime/metrics';
import { channels, FAST_QUEUE, sendHook, startTestRelay } from '../support/relay';
import { DAY_MS, FIRST_DAY, onlyDateMoves } from '../support/redrive';

const HOUR_MS = 60 * 60 * 1000;
import { grantSecret, startSpacesServer, TEST_GRANT, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** A Grafana alert whose panel screenshot is served by `host`. */
const grafanaWithPanel = (host: string) => ({
  receiver: 'grafana',
  status: 'firing',
  groupKey: '{}:{alertname="Latency"}',
  alerts: [{ status: 'firing', labels: { alertname: 'Latency' }, annotations: {}, imageURL: `${host}/panel.png` }],
});

describe('delivering a batch', () => {
  let relay: LocalRelay | undefined;
  let images: http.Server | undefined;
  let spaces: RunningStandIn | undefined;
  afterEach(async () => {
    await relay?.close();
    images?.close();
    await spaces?.close();
  });

  /** Serves the panel screenshot on 127.0.0.1 (allow-listed by address); `onDownload` hears of each download. */
  async function servePanel(onDownload: () => void = () => undefined): Promise<string> {
    images = http.createServer((_req, res) => {
      onDownload();
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    });
    await new Promise<void>((resolve) => images!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  }

  it('posts a webhook sent twice only once, and counts the copy as deduplicated', async () => {
    // Prepare
    relay = await startTestRelay();
    const before = countTotals().deduplicated ?? 0;
    const body = { title: 'Deploy done', text: 'v1.2.3 is live' };

    // Act
    await sendHook(relay, '/hooks/generic', body, { 'idempotency-key': 'deploy-123' });
    await relay.queue.idle();
    await sendHook(relay, '/hooks/generic', body, { 'idempotency-key': 'deploy-123' });
    await relay.queue.idle();

    // Assess
    expect(relay.standIn!.messages).toHaveLength(1);
    expect((countTotals().deduplicated ?? 0) - before).toBe(1);
  });

  it('posts the same text again when the sender says it again the next day, but not when it retries within the day', async () => {
    // Prepare: only Date moves, so the relay's own timers keep real time.
    onlyDateMoves();
    try {
      relay = await startTestRelay();
      const body = { title: 'Nightly backup', text: 'backup finished' };

      // Act
      await sendHook(relay, '/hooks/generic', body);
      await relay.queue.idle();
      jest.setSystemTime(FIRST_DAY + HOUR_MS);
      await sendHook(relay, '/hooks/generic', body);
      await relay.queue.idle();
      jest.setSystemTime(FIRST_DAY + DAY_MS + HOUR_MS);
      await sendHook(relay, '/hooks/generic', body);
      await relay.queue.idle();

      // Assess
      expect(relay.standIn!.messages.map((m) => /backup finished/.test(m.bodyText))).toEqual([true, true]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('dead-letters a permanent refusal with its reason at once, and delivers the rest', async () => {
    // Prepare
    relay = await startTestRelay({
      settings: channels({ default: 'ops-space', secret: 'locked-space' }),
      standInFault: (op, req): Fault | undefined =>
        op === 'post' && req.url?.includes('locked-space') ? { status: 403, body: { message: 'not a member' } } : undefined,
    });

    // Act
    await sendHook(relay, '/hooks/generic/secret', { text: 'for the locked space' });
    await sendHook(relay, '/hooks/generic', { text: 'for the open space' });
    await relay.queue.idle();

    // Assess
    expect(relay.queue.deadLetters).toHaveLength(1);
    expect(relay.queue.deadLetters[0]!.reason).toBe('Spaces post failed: HTTP 403 — not a member');
    expect(relay.queue.deadLetters[0]!.body).toContain('for the locked space');
    expect(relay.standIn!.messages.map((m) => m.bodyText).join()).toContain('for the open space');
    expect(relay.standIn!.calls.filter((c) => c.status === 403)).toHaveLength(1);
  });

  it('keeps the order of a space when an early message has to be retried', async () => {
    // Prepare: the first two posts fail (neither the client nor the batch tries again here, so the queue does).
    let failing = 2;
    relay = await startTestRelay({
      // Batches of five, gathered until all five are there.
      queue: { ...FAST_QUEUE, batchSize: 5, batchWindowSeconds: 60_000 },
      tuning: { retryInPlace: { rounds: 1, pauseMs: 0 } },
      standInFault: (op): Fault | undefined => (op === 'post' && failing-- > 0 ? { status: 503 } : undefined),
    });

    // Act: sent within the event source's batching window, so they arrive in one batch.
    for (let i = 1; i <= 5; i += 1) await sendHook(relay, '/hooks/generic', { title: `step ${i}`, text: `step ${i} of 5` });
    await relay.queue.idle();

    // Assess
    const titles = relay.standIn!.messages.map((m) => /step (\d)/.exec(m.bodyText)?.[1]);
    expect(titles).toEqual(['1', '2', '3', '4', '5']);
    expect(relay.queue.deadLetters).toEqual([]);
  });

  it('tries a notification again in place when Spaces fails for a moment: nothing goes back to the queue', async () => {
    // Prepare: the first two posts fail and the client does not retry them itself.
    let failing = 2;
    relay = await startTestRelay({
      queue: { ...FAST_QUEUE, batchSize: 3, batchWindowSeconds: 60_000 },
      standInFault: (op): Fault | undefined => (op === 'post' && failing-- > 0 ? { status: 503 } : undefined),
    });

    // Act
    for (let i = 1; i <= 3; i += 1) await sendHook(relay, '/hooks/generic', { title: `step ${i}`, text: `step ${i} of 3` });
    await relay.queue.idle();

    // Assess: in order, each once, and no record received twice.
    expect(relay.standIn!.messages.map((m) => /step (\d)/.exec(m.bodyText)?.[1])).toEqual(['1', '2', '3']);
    expect(relay.standIn!.calls.filter((c) => c.operation === 'post').map((c) => c.status)).toEqual([503, 503, 200, 200, 200]);
    expect(relay.queue.stats.retries).toBe(0);
  });

  it('posts a digest again in place when its post failed: its members are neither handed back nor shown twice', async () => {
    // Prepare: a storm of 30 for one space, folded into one digest whose first post fails.
    let failing = 1;
    relay = await startTestRelay({
      settings: { DIGEST_THRESHOLD: '20' },
      queue: { ...FAST_QUEUE, batchWindowSeconds: 60_000, batchSize: 30 },
      standInFault: (op): Fault | undefined => (op === 'post' && failing-- > 0 ? { status: 500 } : undefined),
    });

    // Act
    await Promise.all(Array.from({ length: 30 }, (_, n) => sendHook(relay!, '/hooks/generic', { title: `storm ${n}`, text: 'disk full' })));
    await relay.queue.idle();

    // Assess
    expect(relay.standIn!.messages).toHaveLength(1);
    const text = relay.standIn!.messages[0]!.bodyText;
    for (let n = 0; n < 30; n += 1) expect(text.match(new RegExp(`storm ${n}<`, 'g'))).toHaveLength(1);
    expect(relay.queue.stats.retries).toBe(0);
  });

  it('waits out a rate-limit wait in place instead of handing the batch back', async () => {
    // Prepare: one post per 400 ms for deliver (its share of two, less its headroom), so every post after the first
    // waits longer than the limiter sits out (half a window); nothing is folded.
    const limits = { perEndpoint: { limit: 2, windowMs: 400 }, getUploadUrl: { limit: 2, windowMs: 400 }, overall: { limit: 100, windowMs: 2_000 } };
    relay = await startTestRelay({
      settings: { DIGEST_THRESHOLD: '100' },
      queue: { ...FAST_QUEUE, batchSize: 4, batchWindowSeconds: 60_000 },
      standInLimits: limits,
      tuning: { rateLimits: limits, retryInPlace: { rounds: 3, pauseMs: 5 } },
    });

    // Act
    for (let i = 1; i <= 4; i += 1) await sendHook(relay, '/hooks/generic', { title: `step ${i}`, text: `step ${i} of 4` });
    await relay.queue.idle();

    // Assess: all four posted in order, none refused by the limits, none received twice.
    expect(relay.standIn!.messages.map((m) => /step (\d)/.exec(m.bodyText)?.[1])).toEqual(['1', '2', '3', '4']);
    expect(relay.standIn!.rateLimited).toBe(0);
    expect(relay.queue.stats.retries).toBe(0);
  });

  it('folds a storm for one space into digests, each alert still recognisable', async () => {
    // Prepare
    // The event source's batching window is over as soon as a whole batch waits: the storm goes out as one.
    relay = await startTestRelay({ settings: { DIGEST_THRESHOLD: '20' }, queue: { batchWindowSeconds: 60_000 } });
    const group = (n: number) => ({
      version: '4',
      groupKey: `{}:{alertname="Storm${n}"}`,
      status: 'firing',
      receiver: 'ops',
      groupLabels: { alertname: `Storm${n}` },
      commonLabels: { alertname: `Storm${n}`, severity: 'warning', instance: `node-${n}` },
      commonAnnotations: {},
      externalURL: 'https://alertmanager.example.com',
      alerts: [{ status: 'firing', labels: { alertname: `Storm${n}`, severity: 'warning', instance: `node-${n}` }, annotations: {}, startsAt: '2025-05-28T02:36:23Z' }],
    });

    // Act
    // As many as deliver takes at once: a storm is folded within one batch.
    await Promise.all(Array.from({ length: DELIVER_BATCH_SIZE }, (_, n) => sendHook(relay!, '/hooks/alertmanager', group(n))));
    await relay.queue.idle();

    // Assess
    const messages = relay.standIn!.messages;
    expect(messages.length).toBeLessThanOrEqual(5);
    const text = messages.map((m) => m.bodyText).join('\n');
    for (let n = 0; n < DELIVER_BATCH_SIZE; n += 1) expect(text.match(new RegExp(`WARNING · Storm${n}<`, 'g'))).toHaveLength(1);
    expect(text).toContain('🔥 <b>WARNING · Storm7</b>');
    expect(text).toContain('node-7');
  });

  it('does not upload a file again when only the post failed', async () => {
    // Prepare: a panel image served locally and allow-listed; the first post fails.
    let downloads = 0;
    const host = await servePanel(() => (downloads += 1));
    let failing = 1;
    relay = await startTestRelay({
      settings: { ATTACHMENT_URL_HOSTS: host },
      standInFault: (op): Fault | undefined => (op === 'post' && failing-- > 0 ? { status: 500 } : undefined),
    });
    const grafana = grafanaWithPanel(host);

    // Act
    await sendHook(relay, '/hooks/grafana', grafana);
    await relay.queue.idle();

    // Assess
    const calls = relay.standIn!.calls;
    expect(calls.filter((c) => c.operation === 'post').map((c) => c.status)).toEqual([500, 200]);
    expect(calls.filter((c) => c.operation === 'getuploadurl')).toHaveLength(1);
    expect(calls.filter((c) => c.operation === 'upload')).toHaveLength(1);
    expect(downloads).toBe(1);
    expect(relay.standIn!.messages[0]!.data).toHaveLength(1);
  });

  it('does not post without its file when the upload URL was refused for the credential: the whole notification waits', async () => {
    // Prepare: a panel image served locally; Spaces refuses the credential for the first upload-URL call and its retry.
    const host = await servePanel();
    let refusals = 2;
    relay = await startTestRelay({
      settings: { ATTACHMENT_URL_HOSTS: host },
      standInFault: (op): Fault | undefined => (op === 'getuploadurl' && refusals-- > 0 ? { status: 401 } : undefined),
    });
    const grafana = grafanaWithPanel(host);

    // Act
    await sendHook(relay, '/hooks/grafana', grafana);
    await relay.queue.idle();

    // Assess
    expect(relay.standIn!.messages).toHaveLength(1);
    expect(relay.standIn!.messages[0]!.data).toHaveLength(1);
    expect(relay.standIn!.messages[0]!.bodyText).not.toContain('could not be attached');
    expect(relay.standIn!.calls.filter((c) => c.operation === 'post').map((c) => c.status)).toEqual([200]);
  });

  it('waits out a revoked grant in the queue: whole batches handed back with growing waits, dead-lettered on the last receive', async () => {
    // Prepare: a real Spaces (the OAuth stand-in) whose grant the user revoked; records for two spaces in one batch.
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    spaces.standIn.revokeGrant();
    relay = await startTestRelay({
      spaces: { baseUrl: spaces.url, token: grantSecret(spaces.url) },
      settings: channels({ default: 'ops-space', ci: 'ci-space' }),
      // The deployed back-off adds up to over an hour: a queue second of 0.2 ms.
      queue: { msPerSecond: 0.2, batchSize: 3, batchWindowSeconds: 300_000 },
    });
    const handBacks: { seconds: number; handles: number; deadLetters: number }[] = [];
    const change = relay.queue.change.bind(relay.queue);
    jest.spyOn(relay.queue, 'change').mockImplementation(async (handles, seconds) => {
      handBacks.push({ seconds, handles: handles.length, deadLetters: relay!.queue.deadLetters.length });
      return change(handles, seconds);
    });
    const before = countTotals()['credentialFailures.grant-refused'] ?? 0;

    // Act
    await sendHook(relay, '/hooks/generic', { text: 'first for ops' });
    await sendHook(relay, '/hooks/generic/ci', { text: 'for ci' });
    await sendHook(relay, '/hooks/generic', { text: 'second for ops' });
    await relay.queue.idle();

    // Assess: nine hand-backs of all three, the deployed back-off, nothing dead-lettered before the tenth receive.
    expect(handBacks.map((h) => h.seconds)).toEqual([30, 60, 120, 240, 480, 900, 900, 900, 900]);
    expect(handBacks.every((h) => h.handles === 3 && h.deadLetters === 0)).toBe(true);
    expect((countTotals()['credentialFailures.grant-refused'] ?? 0) - before).toBe(10);
    // One try per batch: the others in it, whatever their space, were not tried against a refused credential.
    expect(spaces.standIn.calls.filter((c) => c.operation === 'token')).toHaveLength(10);
    expect(relay.queue.deadLetters).toHaveLength(3);
    for (const letter of relay.queue.deadLetters) {
      expect(letter.reason).toMatch(/refused the grant \(HTTP 400 invalid_grant\): the refresh token was revoked.*\(gave up after 10 receives\)$/);
    }
    expect(spaces.standIn.messages).toEqual([]);
  });
});

describe('a digest whose state cannot all be written', () => {
  /** Idempotency records whose first completion write fails, and whose other writes answer late (after landing). */
  class FirstCompletionFails extends MemoryPersistenceLayer {
    failed = false;
    protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
      if (!this.failed) {
        this.failed = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      await super._updateRecord(record);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }

  it('posts its members once: those completed stay done, the one whose write failed is found posted on the next try', async () => {
    // Prepare: six alerts for one space, a digest from five; the deployed composition root over memory state.
    const spaces = await startSpacesServer();
    try {
      const settings = readDeliverSettings({
        CHANNELS: JSON.stringify({ default: 'space-1' }),
        STATE_TTL_SECONDS: '86400',
        SPACES_API_URL: spaces.url,
        DIGEST_THRESHOLD: '5',
      });
      const deps = deliverDependencies(settings, {
        tokenSecret: localTokenSecret(TEST_TOKEN),
        persistence: new FirstCompletionFails(),
        store: new MemoryStateStore(),
        deadLetters: { send: async () => undefined },
        visibility: { change: async () => undefined },
        s3: createS3Client(),
        tuning: { retryInPlace: { rounds: 1, pauseMs: 0 } },
      });
      const records = Array.from({ length: 6 }, (_, n) => {
        const message = chatMessage({ source: 'generic', status: 'info', title: `alert ${n}` });
        const receivedAt = new Date().toISOString();
        const [notification] = notificationsFor([message], { id: `id-${n}`, deliveryKey: `key-${n}`, receivedAt, channel: 'default' });
        return { id: `record-${n}`, receiveCount: 1, body: JSON.stringify(notification) };
      });

      // Act: the batch, then the records it could not finish, received again.
      const outcomes: string[][] = [];
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const run = await BatchRun.prepare(records, deps);
        const said: string[] = [];
        for (const record of records) said.push(await run.deliver(record.id).then((o) => o.status, () => 'retry'));
        outcomes.push(said);
        // The records come back only after their hand-back wait: whatever the first try left running has ended.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // Assess: one digest of all six; on the second try nothing is posted again.
      expect(spaces.standIn.messages).toHaveLength(1);
      expect(spaces.standIn.messages[0]!.bodyText.match(/alert \d/g)).toEqual(['alert 0', 'alert 1', 'alert 2', 'alert 3', 'alert 4', 'alert 5']);
      expect(outcomes[0]).toContain('retry');
      expect(outcomes[1]!.every((status) => status !== 'retry')).toBe(true);
    } finally {
      await spaces.close();
    }
  });
});
