/**
 * The local relay (`npm start`) over real HTTP under hostile input: webhooks on every route of the registry, `POST
 * /hooks`, `POST /events` with mutated AWS events, `GET /dead-letters`, and other paths and methods. Every answer is a
 * 2xx or a JSON 4xx, never a 5xx or a dropped connection; and nothing of a refused request reaches the Spaces
 * stand-in — the queue is let run dry after each request, so a post it caused would have been made. (An unhandled
 * rejection in the relay fails the test too: jest reports it.)
 */
jest.mock('../../lambda/net/exchange', () => jest.requireActual<typeof import('./sns-network')>('./sns-network').exchangeWithTestSns());

import http from 'node:http';
import fc from 'fast-check';
import { DEFAULT_MAX_BODY_BYTES } from '../../lambda/ingest/intake';
import type { LocalRelay } from '../../lambda/local/server';
import { scaleLimits, SPACES_LIMITS } from '../../lambda/spaces/rate-limit';
import { startTestRelay } from '../support/relay';
import { expectWellFormed, isRefusal, withinTime, type Answer } from './answers';
import { hookRequest, localRouteHeaders, recordBody, strayRequest, WireRequest } from './arbitraries';
import { apiGatewaySeeds, awsEventSeeds, queuedNotificationSeeds, seedsBySource, WEBHOOK_SOURCES } from './corpus';
import { assertProperty, runsOf, timeLimitMs } from './fuzz-settings';
import { SECRET } from './sender-proofs';
import { CHANNELS, EVERYTHING_ON } from './team';

/** Long enough for a delivery with its retries at the test relay's fast clock; a hang takes longer. */
const ANSWER_MS = 15_000;

/** The relay of the properties under way: each `describe` starts its own. */
let relay: LocalRelay;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

afterAll(() => agent.destroy());

/**
 * Sends `request` as it is. A body over the limit may be cut off by the relay closing the connection (it answers
 * 413 before reading it, and the client may still be writing): that counts as the refusal it is.
 */
function send(request: WireRequest): Promise<Answer> {
  const { port } = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, 'content-length': request.body.length },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            contentType: incoming.headers['content-type'],
            body: request.method.toUpperCase() === 'HEAD' ? undefined : Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const cutOff = (error.code === 'ECONNRESET' || error.code === 'EPIPE') && request.body.length > DEFAULT_MAX_BODY_BYTES;
      if (cutOff) resolve({ status: 413, contentType: undefined, body: undefined });
      else reject(error);
    });
    outgoing.end(request.body);
  });
}

/** What the Spaces stand-in and the dead letters hold: a refused request must leave both as they were. */
interface Footprint {
  readonly standInCalls: number;
  readonly deadLetters: number;
}

function footprint(): Footprint {
  return { standInCalls: relay.standIn!.calls.length, deadLetters: relay.queue.deadLetters.length };
}

/** Sends `request` once the queue is dry; returns the answer and what changed once the queue is dry again. */
async function exchangeOnce(request: WireRequest): Promise<{ answer: Answer; before: Footprint; after: Footprint }> {
  await withinTime(relay.queue.idle(), ANSWER_MS, 'the queue running dry before the request');
  const before = footprint();
  const answer = await withinTime(send(request), ANSWER_MS, `${request.method} ${request.url.slice(0, 80)}`);
  await withinTime(relay.queue.idle(), ANSWER_MS, 'the queue running dry after the request');
  return { answer, before, after: footprint() };
}

/** The property of every webhook request: a well-formed answer, and no trace of a refused one. */
async function expectHookHandled(request: WireRequest): Promise<void> {
  const { answer, before, after } = await exchangeOnce(request);
  expectWellFormed(answer, request.url);
  if (isRefusal(answer)) expect(after).toEqual(before);
}

const seeds = seedsBySource();
const everySeed = [...seeds].flatMap(([source, list]) => list.map((seed) => ({ source, seed })));

describe('the local relay over HTTP under fuzzed requests', () => {
  beforeAll(async () => {
    relay = await startTestRelay({
      webhookToken: SECRET,
      settings: { CHANNELS, SOURCE_SETTINGS: EVERYTHING_ON },
      // Minutes of the Spaces limits in milliseconds: hundreds of posts in a few seconds are not held back.
      tuning: { rateLimits: scaleLimits(SPACES_LIMITS, { timeScale: 0.001 }) },
    });
  });

  afterAll(() => relay.close());

  describe.each(WEBHOOK_SOURCES)('POST /hooks/%s[/{channel}]', (source) => {
    const runs = runsOf(25, 'over-http');
    it(
      'answers 2xx or a JSON 4xx, and nothing of a refused request reaches Spaces',
      async () => {
        await assertProperty(fc.asyncProperty(hookRequest(source, seeds.get(source)!), expectHookHandled), runs);
      },
      timeLimitMs(runs, 'over-http'),
    );
  });

  const autoRuns = runsOf(40, 'over-http');
  it(
    'POST /hooks: any source’s mutated fixtures, recognised or refused',
    async () => {
      const detected = fc.constantFrom(...everySeed).chain(({ source, seed }) => hookRequest(source, [seed], fc.constant('/hooks')));
      await assertProperty(fc.asyncProperty(detected, expectHookHandled), autoRuns);
    },
    timeLimitMs(autoRuns, 'over-http'),
  );

  const strayRuns = runsOf(100, 'over-http');
  it(
    'other paths and methods: 2xx or a JSON 4xx (the stand-in’s own pages aside, which are not JSON), nothing posted',
    async () => {
      await assertProperty(
        fc.asyncProperty(strayRequest(everySeed.map(({ seed }) => seed)), async (request) => {
          const { answer, before, after } = await exchangeOnce(request);
          const path = request.url.split('?')[0]!;
          const helperPage = path.startsWith('/stand-in') || (path === '/' && request.method === 'GET');
          if (helperPage) {
            expect(answer.status).toBeLessThan(500);
            return;
          }
          expectWellFormed(answer, request.url);
          if (isRefusal(answer)) expect(after).toEqual(before);
        }),
        strayRuns,
      );
    },
    timeLimitMs(strayRuns, 'over-http'),
  );

  const eventRuns = runsOf(150, 'over-http');
  it(
    'POST /events: mutated AWS events and notifications, null, {"Records":[null]}, not JSON — 200, or a JSON 4xx and no post',
    async () => {
      const eventSeeds = [...(await queuedNotificationSeeds()), ...awsEventSeeds(), ...apiGatewaySeeds()];
      const events = fc
        .record({ record: recordBody(eventSeeds), headers: localRouteHeaders })
        .map(({ record, headers }) => new WireRequest('POST', '/events', headers, Buffer.from(record.body), record.origin));
      await assertProperty(
        fc.asyncProperty(events, async (request) => {
          const { answer, before, after } = await exchangeOnce(request);
          const body = expectWellFormed(answer, request.url);
          if (answer.status === 401) expect(after).toEqual(before);
          const records = (body.records ?? []) as { outcome: string }[];
          // Only a record deliver handled may have posted: a dead-lettered one never does.
          if (!records.some((record) => record.outcome === 'handled')) expect(after.standInCalls).toBe(before.standInCalls);
        }),
        eventRuns,
      );
    },
    timeLimitMs(eventRuns, 'over-http'),
  );
});

describe('the local relay’s dead letters over HTTP under fuzzed requests', () => {
  // A relay of its own whose few dead letters are known, so that listing them stays cheap for any number of cases.
  beforeAll(async () => {
    relay = await startTestRelay({ webhookToken: SECRET, settings: { CHANNELS } });
    for (const body of ['null', '{"Records":[null]}', 'not json']) {
      await send(new WireRequest('POST', '/events', { authorization: `Bearer ${SECRET}` }, Buffer.from(body), 'a dead letter'));
    }
  });

  afterAll(() => relay.close());

  const runs = runsOf(30, 'over-http');
  it(
    'GET /dead-letters: the list with the secret, a JSON 401 without',
    async () => {
      const requests = fc
        .record({ headers: localRouteHeaders, query: fc.constantFrom('', '?limit=1', '?__proto__=1', '?%zz', '?a=%00&a=2') })
        .map(({ headers, query }) => new WireRequest('GET', `/dead-letters${query}`, headers, Buffer.alloc(0), 'dead letters'));
      await assertProperty(
        fc.asyncProperty(requests, async (request) => {
          const { answer } = await exchangeOnce(request);
          const body = expectWellFormed(answer, request.url);
          if (answer.status === 200) expect(body.deadLetters).toEqual([expect.any(Object), expect.any(Object), expect.any(Object)]);
          // Without the secret; or with headers too large to read (431).
          else expect([401, 431]).toContain(answer.status);
        }),
        runs,
      );
    },
    timeLimitMs(runs, 'over-http'),
  );
});
