import type { Fault, StandInOperation } from '../../lambda/local/spaces-stand-in';
import { SpacesClient, type UploadableFile } from '../../lambda/spaces/client';
import { textCredentials, type CredentialProvider } from '../../lambda/spaces/credentials';
import { CredentialError, SpacesError } from '../../lambda/spaces/errors';
import type { CallGate } from '../../lambda/spaces/rate-limit';
import { generatedBody } from '../support/generated-body';
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';


const file = (size: number, contentType = 'application/octet-stream', actual = size): UploadableFile & { opens: number } => {
  const f = { contentType, size, opens: 0, open: async () => ((f.opens += 1), generatedBody(actual)) };
  return f;
};

/** Faults served in order for one operation; afterwards calls are handled normally. */
function script(operation: StandInOperation, faults: Fault[]) {
  return (op: StandInOperation): Fault | undefined => (op === operation ? faults.shift() : undefined);
}

describe('SpacesClient against a real HTTP server', () => {
  let server: RunningStandIn | undefined;
  const delays: number[] = [];
  const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 };
  const client = (credentials: CredentialProvider = textCredentials(TEST_TOKEN), timeoutMs = 2_000) =>
    new SpacesClient({
      baseUrl: server!.url,
      credentials,
      retry: fastRetry,
      timeoutMs,
      hooks: { sleep: async (ms) => void delays.push(ms) },
    });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    delays.length = 0;
  });

  it('uploads files with exact length and type, then posts the message with them', async () => {
    server = await startSpacesServer();
    const files = [file(3 * 1024 * 1024 + 7, 'image/png'), file(0, 'text/plain')];

    const slots = await client().getUploadUrls('space-1', files);
    await Promise.all(slots.map((slot, i) => client().upload(slot, files[i]!)));
    const id = await client().postChat('space-1', {
      bodyText: '<p>hi</p>',
      data: slots.map((slot, i) => ({ fileId: slot.fileKey, fileSize: files[i]!.size, fileType: 'document', name: `f${i}`, provider: 'native', providerFileType: files[i]!.contentType })),
    });

    expect(server.standIn.calls.filter((c) => c.operation === 'getuploadurl')).toHaveLength(1);
    expect(server.standIn.files.get(slots[0]!.fileKey)).toMatchObject({ receivedSize: 3 * 1024 * 1024 + 7, contentType: 'image/png' });
    expect(server.standIn.messages).toEqual([expect.objectContaining({ _id: id, spaceId: 'space-1', bodyText: '<p>hi</p>' })]);
  });

  it('fails an upload whose stream is shorter than declared, instead of hanging', async () => {
    server = await startSpacesServer();
    const short = file(1000, 'text/plain', 999);
    const [slot] = await client().getUploadUrls('s', [short]);

    const upload = client().upload(slot!, short);

    await expect(upload).rejects.toThrow(/Spaces upload failed/);
    expect(server.standIn.files.get(slot!.fileKey)!.receivedSize).toBeUndefined();
  });

  it('refuses an upload with a type other than declared (the stand-in enforces the contract)', async () => {
    server = await startSpacesServer();
    const [slot] = await client().getUploadUrls('s', [file(10, 'image/png')]);

    const upload = client().upload(slot!, file(10, 'image/jpeg'));

    await expect(upload).rejects.toMatchObject({ operation: 'upload', status: 400, retryable: false });
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    server = await startSpacesServer({ fault: script('post', [{ status: 429, headers: { 'Retry-After': '2' } }]) });

    const id = await client().postChat('s', { bodyText: 'x' });

    expect(id).toBeTruthy();
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(server.standIn.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('gives up at once when Retry-After is longer than it may wait, so the queue retries later', async () => {
    server = await startSpacesServer({ fault: script('post', [{ status: 429, headers: { 'Retry-After': '3600' } }]) });

    const post = client().postChat('s', { bodyText: 'x' });

    await expect(post).rejects.toMatchObject({ status: 429, retryable: true, retryAfterMs: 3_600_000 });
    expect(server.standIn.calls).toHaveLength(1);
  });

  it('retries 500s and a connection reset with backoff, re-opening the file for each upload attempt', async () => {
    server = await startSpacesServer({ fault: script('upload', [{ status: 500 }, { reset: true }]) });
    const f = file(256 * 1024);
    const [slot] = await client().getUploadUrls('s', [f]);

    await client().upload(slot!, f);

    expect(f.opens).toBe(3);
    expect(delays).toHaveLength(2);
    expect(server.standIn.files.get(slot!.fileKey)!.receivedSize).toBe(256 * 1024);
  });

  it('times out a slow server and says which call failed; retries an edit, but never a post that may have landed', async () => {
    server = await startSpacesServer({ fault: () => ({ delayMs: 400 }) });

    const post = client(textCredentials(TEST_TOKEN), 100).postChat('s', { bodyText: 'x' });
    await expect(post).rejects.toThrow(/Spaces post failed: timed out/);
    await expect(post).rejects.toMatchObject({ ambiguous: true });
    expect(delays).toHaveLength(0);

    const edit = client(textCredentials(TEST_TOKEN), 100).editMessage('m1', { bodyText: 'x' });
    await expect(edit).rejects.toThrow(/Spaces edit failed: timed out/);
    expect(delays).toHaveLength(fastRetry.attempts - 1);
  });

  it('re-reads the credential once on 401, then succeeds with the rotated token', async () => {
    server = await startSpacesServer();
    let current = 'expired-token';
    const rotating: CredentialProvider & { refreshes: number } = {
      refreshes: 0,
      get: async () => ({ scheme: 'bearer', token: current }),
      refresh: async () => {
        rotating.refreshes += 1;
        current = TEST_TOKEN;
        return { scheme: 'bearer', token: current };
      },
    };

    await client(rotating).postChat('s', { bodyText: 'x' });

    expect(rotating.refreshes).toBe(1);
    expect(server.standIn.calls.map((c) => c.status)).toEqual([401, 200]);
  });

  it('fails on a second 401 as a credential failure, without retrying further, and never shows the token', async () => {
    server = await startSpacesServer();
    const wrong = textCredentials('wrong-token-abcdef');

    const error = (await client(wrong).postChat('s', { bodyText: 'x' }).catch((e: unknown) => e)) as CredentialError;

    expect(error).toBeInstanceOf(CredentialError);
    expect(error.failure).toBe('token-refused');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('on post');
    expect(error.message).not.toContain('wrong-token-abcdef');
    expect(server.standIn.calls).toHaveLength(2);
  });

  it('does not retry a 403 and reports the server’s reason', async () => {
    server = await startSpacesServer({ fault: script('post', [{ status: 403, body: { message: 'Not a member', code: 'E1' } }]) });

    const post = client().postChat('s', { bodyText: 'x' });

    await expect(post).rejects.toThrow('Spaces post failed: HTTP 403 — Not a member');
    expect(server.standIn.calls).toHaveLength(1);
  });

  it('redacts an answer that echoes the credential, before cutting it short, so that no piece of the token is left', async () => {
    // Prepare: the token (bare, as no pattern knows it) straddles the 200th character of the reason
    const echo = (op: StandInOperation): Fault | undefined =>
      op === 'post' ? { status: 403, body: { message: `${'x'.repeat(185)} ${TEST_TOKEN} refused` } } : undefined;
    server = await startSpacesServer({ fault: echo });

    // Act
    const error = (await client().postChat('s', { bodyText: 'x' }).catch((e: unknown) => e)) as SpacesError;

    // Assess
    expect(error.message).toMatch(/^Spaces post failed: HTTP 403 — x{185} \[redacted\] ref…$/);
    expect(error.message).not.toContain(TEST_TOKEN.slice(0, 8));
  });

  it('keeps only redacted text in a SpacesError, whoever builds it', () => {
    const error = new SpacesError('upload', 'storage said: PUT https://user:pass@storage.example/x?token=abc', { retryable: false });

    expect(error.message).toBe('Spaces upload failed: storage said: PUT https://storage.example/x?token=[redacted]');
  });

  it('sends the configured scheme in the Authorization header', async () => {
    server = await startSpacesServer({ scheme: 'jwt' });

    const id = await client(textCredentials(JSON.stringify({ scheme: 'JWT', token: TEST_TOKEN }))).postChat('s', { bodyText: 'x' });

    expect(id).toBeTruthy();
  });
});

describe('SpacesClient: exactly-once and rate limits', () => {
  const RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };
  let running: RunningStandIn | undefined;
  afterEach(async () => running?.close());

  function client(gate?: CallGate): SpacesClient {
    return new SpacesClient({ baseUrl: running!.url, credentials: textCredentials(TEST_TOKEN), retry: RETRY, gate, timeoutMs: 2_000 });
  }

  it('does not repeat a post whose answer was lost, and says it may have landed', async () => {
    // Prepare
    running = await startSpacesServer({ fault: (op) => (op === 'post' ? { dropAfterHandling: true } : undefined) });

    // Act
    const attempt = client().postChat('space-1', { bodyText: '<p>hello</p>' });

    // Assess
    await expect(attempt).rejects.toMatchObject({ operation: 'post', ambiguous: true });
    expect(running.standIn.calls.filter((c) => c.operation === 'post')).toHaveLength(1);
    expect(running.standIn.messages).toHaveLength(1);
  });

  it('retries a post the server refused with 500, which stored nothing', async () => {
    // Prepare
    let failures = 2;
    running = await startSpacesServer({ fault: (op): Fault | undefined => (op === 'post' && failures-- > 0 ? { status: 500 } : undefined) });

    // Act
    const id = await client().postChat('space-1', { bodyText: '<p>hello</p>' });

    // Assess
    expect(running.standIn.messages.map((m) => m._id)).toEqual([id]);
    expect(running.standIn.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('tells the gate about a 429 and its Retry-After before retrying', async () => {
    // Prepare
    let throttle = true;
    running = await startSpacesServer({
      fault: (op): Fault | undefined => (op === 'edit' && throttle ? ((throttle = false), { status: 429, headers: { 'retry-after': '0.02' } }) : undefined),
    });
    const posted = await client().postChat('space-1', { bodyText: '<p>firing</p>' });
    const acquired: string[] = [];
    const throttled: [string, number | undefined][] = [];
    const gate: CallGate = { acquire: async (op) => void acquired.push(op), throttled: (op, ms) => void throttled.push([op, ms]) };

    // Act
    await client(gate).editMessage(posted, { bodyText: '<p>resolved</p>' });

    // Assess
    expect(throttled).toEqual([['edit', 20]]);
    expect(acquired).toEqual(['edit', 'edit']);
    expect(running.standIn.messages[0]!.bodyText).toBe('<p>resolved</p>');
  });

  it('lists the latest messages of a space, newest first, with their bodies and times', async () => {
    // Prepare
    running = await startSpacesServer();
    const c = client();
    const first = await c.postChat('space-1', { bodyText: '<p>one</p>' });
    const second = await c.postChat('space-1', { bodyText: '<p>two</p>' });
    await c.postChat('space-2', { bodyText: '<p>elsewhere</p>' });

    // Act
    const listed = await c.recentMessages('space-1');

    // Assess
    expect(listed.map((m) => [m.id, m.bodyText])).toEqual([
      [second, '<p>two</p>'],
      [first, '<p>one</p>'],
    ]);
    expect(listed[0]!.created).toBeGreaterThan(Date.now() - 10_000);
  });

  it("names the credential's user, by display name", async () => {
    // Prepare
    running = await startSpacesServer({ user: { _id: 'u-42', displayname: 'Payments Bot', username: 'bot@example.com' } });

    // Act
    const user = await client().currentUser();

    // Assess
    expect(user).toEqual({ id: 'u-42', name: 'Payments Bot' });
    expect(running.standIn.calls.map((call) => call.operation)).toEqual(['user']);
  });

  it('refuses to name a user when the credential is refused, after re-reading it once', async () => {
    // Prepare
    running = await startSpacesServer();

    // Act
    const refused = new SpacesClient({ baseUrl: running.url, credentials: textCredentials('not-the-token'), retry: RETRY });
    const user = refused.currentUser();

    // Assess
    await expect(user).rejects.toThrow(CredentialError);
    expect(running.standIn.calls.map((call) => [call.operation, call.status])).toEqual([
      ['user', 401],
      ['user', 401],
    ]);
  });
});
