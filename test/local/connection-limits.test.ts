/** The local server's limits: no client can make it read an endless body, or hold connections without end. */
import { connect, type Socket } from 'node:net';
import type { LocalRelay } from '../../lambda/local/server';
import { sendEndlessBody } from '../support/endless-sender';
import { startTestRelay, WEBHOOK_TOKEN } from '../support/relay';

function open(relay: LocalRelay): Promise<Socket> {
  const { port } = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection, and when it closed it. */
function untilClosed(socket: Socket): Promise<{ answer: string; closedAt: number }> {
  return new Promise((resolve) => {
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer, closedAt: Date.now() }));
  });
}

/** The answer, or a note that none came (the server is waiting for a body that never comes). */
function answerWithin(ms: number, closed: Promise<{ answer: string }>): Promise<string> {
  return Promise.race([
    closed.then(({ answer }) => answer),
    new Promise<string>((resolve) => setTimeout(() => resolve('(no answer)'), ms).unref()),
  ]);
}

/** Sends 64 KiB chunks of `a` until the server hangs up (or 64 MiB went); returns how much was sent. */
async function flood(socket: Socket, closed: Promise<unknown>): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  while (!socket.destroyed && sent < 64 * 1024 * 1024) {
    const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
    sent += chunk.length;
    if (!ok) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
  }
  return sent;
}

describe('local server limits', () => {
  let relay: LocalRelay;
  afterEach(async () => relay?.close());

  it('answers an endless body 413 as soon as it passes 1 MiB, and closes the connection', async () => {
    // Prepare
    relay = await startTestRelay();
    const socket = await open(relay);
    const closed = untilClosed(socket);
    socket.write(`POST /hooks/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${WEBHOOK_TOKEN}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`);

    // Act: keep sending until the server hangs up.
    const sent = await flood(socket, closed);
    const { answer } = await closed;

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('"error":"payload_too_large"');
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('answers an endless body to a chat webhook in its service\'s style, as the deployed ingest does', async () => {
    // Prepare
    relay = await startTestRelay();
    const socket = await open(relay);
    const closed = untilClosed(socket);
    socket.write(`POST /hooks/slack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${WEBHOOK_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);

    // Act
    await flood(socket, closed);
    const { answer } = await closed;

    // Assess: Slack answers in text, never the relay's JSON.
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toMatch(/content-type: text\/plain/i);
    expect(answer).not.toContain('{');
  });

  it('refuses a body whose declared length is over the limit before it is sent', async () => {
    // Prepare
    relay = await startTestRelay();
    const socket = await open(relay);
    const closed = untilClosed(socket);

    // Act
    socket.write(`POST /hooks/generic HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10737418240\r\n\r\n`);
    const { answer } = await closed;

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
  });

  it('closes a connection whose headers do not arrive in time', async () => {
    // Prepare
    relay = await startTestRelay({ connectionLimits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const socket = await open(relay);
    const closed = untilClosed(socket);
    const started = Date.now();

    // Act: half a request line, then nothing.
    socket.write('POST /hooks/gen');
    const { answer, closedAt } = await closed;

    // Assess
    expect(closedAt - started).toBeLessThan(3_000);
    expect(answer === '' || /^HTTP\/1\.1 408 [^]*"error":"request_timeout"/.test(answer)).toBe(true);
  });

  it.each([
    ['headers past Node’s 16 KiB limit', `GET /dead-letters HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`, 431, 'header_fields_too_large'],
    ['a malformed request line', 'GET /hooks HTTP/9\r\n\r\n', 400, 'bad_request'],
  ])('answers %s with the relay’s JSON error, not a bare status line', async (_case, request, status, error) => {
    // Prepare
    relay = await startTestRelay();
    const socket = await open(relay);
    const closed = untilClosed(socket);

    // Act
    socket.write(request);
    const { answer } = await closed;

    // Assess
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(body)).toMatchObject({ error, message: expect.any(String) });
  });

  it('refuses connections past the cap', async () => {
    // Prepare
    relay = await startTestRelay({ connectionLimits: { maxConnections: 2 } });
    const held = [await open(relay), await open(relay)];

    // Act
    const third = await open(relay);
    const { closedAt } = await untilClosed(third);

    // Assess
    expect(closedAt).toBeGreaterThan(0);
    for (const socket of held) expect(socket.destroyed).toBe(false);
    for (const socket of held) socket.destroy();
  });

  describe('before the body', () => {
    it.each([
      ['without credentials', 'Content-Type: text/plain'],
      ['with a wrong secret', 'Authorization: Bearer guess\r\nContent-Type: text/plain'],
    ])('answers a webhook %s 401 without waiting for a byte of its body, and hangs up', async (_, headers) => {
      // Prepare
      relay = await startTestRelay();
      const socket = await open(relay);
      const closed = untilClosed(socket);

      // Act: the headers announce a body, which never comes.
      socket.write(`POST /hooks/generic HTTP/1.1\r\nHost: x\r\n${headers}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const answer = await answerWithin(3_000, closed);

      // Assess
      expect(answer).toMatch(/^HTTP\/1\.1 401/);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain('"error":"unauthorized"');
      expect(socket.destroyed || socket.readableEnded).toBe(true);
    });

    it.each([
      ['a webhook', 'POST /hooks/alertmanager/oncall'],
      ['the local /events route', 'POST /events'],
    ])('answers %s with an endless body and no credentials 401 at once, reading little of it', async (_, requestLine) => {
      // Prepare
      relay = await startTestRelay();
      const { port } = new URL(relay.url);

      // Act
      const { answer, sent, sentWhenAnswered } = await sendEndlessBody(
        Number(port),
        `${requestLine} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );

      // Assess: answered long before the 1 MiB body limit was even sent (it takes 320 ms at this pace), and hung up.
      expect(answer).toMatch(/^HTTP\/1\.1 401/);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).not.toContain('oncall');
      expect(sentWhenAnswered).toBeLessThan(256 * 1024);
      expect(sent).toBeLessThan(512 * 1024);
    });

    it('answers an SNS delivery without credentials with the challenge, before its body', async () => {
      // Prepare
      relay = await startTestRelay();
      const socket = await open(relay);
      const closed = untilClosed(socket);

      // Act
      socket.write(`POST /hooks/sns HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; charset=UTF-8\r\nx-amz-sns-message-type: Notification\r\nContent-Length: 5000\r\n\r\n`);
      const answer = await answerWithin(3_000, closed);

      // Assess
      expect(answer).toMatch(/^HTTP\/1\.1 401/);
      expect(answer).toMatch(/\r\nwww-authenticate: Basic realm="spaces-relay"\r\n/i);
    });

    it('still reads the body of an authenticated webhook', async () => {
      // Prepare
      relay = await startTestRelay();
      const socket = await open(relay);
      const closed = untilClosed(socket);
      const body = '{"text":"disk full"}';

      // Act
      socket.write(
        `POST /hooks/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${WEBHOOK_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      const { answer } = await closed;

      // Assess
      expect(answer).toMatch(/^HTTP\/1\.1 202/);
    });
  });
});
