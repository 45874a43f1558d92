/**
 * SSRF safety of URL attachments. A local server on 127.0.0.1 plays the allow-listed host (listed by address, which
 * is the operator's explicit choice); a stand-in resolver plays DNS answers that point into internal ranges.
 */
import type { LookupAddress } from 'node:dns';
import { parseAllowlist } from '../../lambda/net/host-allowlist';
import { downloadAllowedUrl, type UrlFetchPolicy } from '../../lambda/attachments/url';
import { hostileFileServer, IMAGE, type FileServer } from '../support/image-server';
import { refusal } from '../support/refusal';

let files: FileServer;
let base: string;

beforeAll(async () => {
  files = await hostileFileServer();
  base = files.url;
});

afterAll(() => files.close());

function policy(hosts: string, overrides: Partial<UrlFetchPolicy> = {}): UrlFetchPolicy {
  return { rules: parseAllowlist(hosts), maxBytes: 1024 * 1024, timeoutMs: 2_000, ...overrides };
}

/** DNS as a test wants it: every name resolves to `addresses`. */
function resolvingTo(...addresses: string[]): UrlFetchPolicy['resolve'] {
  const answer: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  return ((_host: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void) => callback(null, answer)) as never;
}


it('downloads an allow-listed image to a file of the exact size, with its type and name', async () => {
  const file = await downloadAllowedUrl(`${base}/panel.png`, policy(base), 'image/');
  try {
    expect(file).toMatchObject({ name: 'panel.png', contentType: 'image/png', size: IMAGE.length });
    const chunks: Buffer[] = [];
    for await (const chunk of await file.open()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(IMAGE);
  } finally {
    await file.dispose();
  }
});

describe('refused targets', () => {
  it('refuses a host that is not listed', async () => {
    expect((await refusal(downloadAllowedUrl('https://other.example.com/a.png', policy('grafana.example.com')))).reason).toBe(
      'https://other.example.com is not on the allowlist of attachment hosts',
    );
  });

  it('refuses plain http for a host listed without http://', async () => {
    expect((await refusal(downloadAllowedUrl('http://grafana.example.com/a.png', policy('grafana.example.com')))).reason).toMatch(
      /plain http is allowed only for hosts listed as http:\/\//,
    );
  });

  it('refuses URLs with credentials', async () => {
    expect((await refusal(downloadAllowedUrl(`http://user:secret@127.0.0.1:1/a.png`, policy(base)))).reason).toMatch(/credentials/);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.20.0.5'],
    ['private 192.168/16', '192.168.1.10'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['instance metadata (link-local)', '169.254.169.254'],
    ['IPv6 loopback', '::1'],
    ['IPv6 unique-local', 'fd12:3456::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata, hex form', '::ffff:a9fe:a9fe'],
  ])('refuses a listed name that resolves to %s (%s), for good', async (_range, address) => {
    const error = await refusal(
      downloadAllowedUrl('https://grafana.example.com/a.png', policy('grafana.example.com', { resolve: resolvingTo(address) })),
    );
    expect(error.reason).toBe(`grafana.example.com resolves to an internal address (${address}): never fetched`);
    expect(error.transient).toBe(false);
  });

  it('refuses a name with one internal address among public ones (no picking the good one)', async () => {
    const error = await refusal(
      downloadAllowedUrl('https://grafana.example.com/a.png', policy('grafana.example.com', { resolve: resolvingTo('93.184.216.34', '10.0.0.1') })),
    );
    expect(error.reason).toMatch(/10\.0\.0\.1/);
  });

  it('refuses a link-local address even when the operator lists it', async () => {
    expect((await refusal(downloadAllowedUrl('http://169.254.169.254/latest/meta-data/', policy('http://169.254.169.254')))).reason).toBe(
      '169.254.169.254 is a link-local address (the instance metadata range): never fetched',
    );
  });
});

describe('redirects', () => {
  it('follows a redirect to a listed URL', async () => {
    const file = await downloadAllowedUrl(`${base}/to-listed`, policy(base), 'image/');
    await file.dispose();
    expect(file.size).toBe(IMAGE.length);
  });

  it('refuses a redirect to an unlisted host', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/elsewhere.png`, policy(base)))).reason).toBe(
      'it redirects to https://evil.example.net, which is not on the allowlist of attachment hosts',
    );
  });

  it('refuses a redirect to the instance metadata service', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/to-metadata`, policy(base)))).reason).toMatch(/169\.254\.169\.254/);
  });

  it('stops after a few redirects', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/loop.png`, policy(base)))).reason).toBe('it redirects more than 3 times: not followed further');
  });
});

describe('size, time and type', () => {
  it('refuses a declared size over the limit before reading the body', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/huge.png`, policy(base)))).reason).toBe(
      'the file is 5.0 MB, larger than the 1.0 MB limit for attachments',
    );
  });

  it('stops an undeclared body once it passes the limit', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/endless.png`, policy(base)))).reason).toBe(
      'the file is larger than the 1.0 MB limit for attachments (stopped reading there)',
    );
  });

  it('gives up on a slow server at the time limit', async () => {
    const started = Date.now();
    const error = await refusal(downloadAllowedUrl(`${base}/slow.png`, policy(base, { timeoutMs: 500 })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.reason).toMatch(/^127\.0\.0\.1:\d+ did not send the whole file within 500 ms$/);
    expect(error.transient).toBe(true);
  });

  it('refuses an HTML page (a login form instead of a file)', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/login.png`, policy(base)))).reason).toMatch(/^127\.0\.0\.1:\d+ sent an HTML page, not a file/);
  });

  it('refuses a type other than the one expected', async () => {
    expect((await refusal(downloadAllowedUrl(`${base}/data.png`, policy(base), 'image/'))).reason).toMatch(/^127\.0\.0\.1:\d+ sent application\/json, not image\/\*$/);
  });

  it('marks a 5xx as a failure that may pass', async () => {
    const error = await refusal(downloadAllowedUrl(`${base}/unavailable.png`, policy(base)));
    expect(error.reason).toMatch(/^127\.0\.0\.1:\d+ answered HTTP 503 Service Unavailable$/);
    expect(error.transient).toBe(true);
  });

  it('names the HTTP status of any other answer, and does not try again', async () => {
    const error = await refusal(downloadAllowedUrl(`${base}/missing.png`, policy(base)));
    expect(error.reason).toMatch(/^127\.0\.0\.1:\d+ answered HTTP 404 Not Found$/);
    expect(error.transient).toBe(false);
  });

  it('says when the host cannot be reached, as a failure that may pass', async () => {
    const error = await refusal(downloadAllowedUrl('http://127.0.0.1:1/panel.png', policy('http://127.0.0.1:1')));
    expect(error.reason).toBe('fetching 127.0.0.1:1 failed: connect ECONNREFUSED 127.0.0.1:1');
    expect(error.transient).toBe(true);
  });
});
