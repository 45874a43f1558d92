/** A batch through the local relay: duplicates, dead letters, order, storms, and resumed attachments. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVER_BATCH_SIZE } from '../../infra/limits';
import type { LocalRelay } from '../../lambda/local/server';
import type { Fault } from '../../lambda/local/spaces-stand-in';
import { countTotals } from '../../lambda/runtime/metrics';
import { channels, FAST_QUEUE, sendHook, startTestRelay } from '../support/relay';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('delivering a batch', () => {
  let relay: LocalRelay | undefined;
  let images: http.Server | undefined;
  afterEach(async () => {
    await relay?.close();
    images?.close();
  });

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
    // Prepare: the first two posts fail (the client does not retry here, so the queue does).
    let failing = 2;
    relay = await startTestRelay({
      // Batches of five, gathered until all five are there.
      queue: { ...FAST_QUEUE, batchSize: 5, batchWindowSeconds: 60_000 },
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
    images = http.createServer((_req, res) => {
      downloads += 1;
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    });
    await new Promise<void>((resolve) => images!.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    let failing = 1;
    relay = await startTestRelay({
      settings: { ATTACHMENT_URL_HOSTS: host },
      standInFault: (op): Fault | undefined => (op === 'post' && failing-- > 0 ? { status: 500 } : undefined),
    });
    const grafana = {
      receiver: 'grafana',
      status: 'firing',
      groupKey: '{}:{alertname="Latency"}',
      alerts: [{ status: 'firing', labels: { alertname: 'Latency' }, annotations: {}, imageURL: `${host}/panel.png` }],
    };

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
});
