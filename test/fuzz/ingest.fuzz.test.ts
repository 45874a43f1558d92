/**
 * Ingest's handler under hostile input, driven as Lambda drives it (API Gateway HTTP API 2.0 events, built by the
 * local server's own `apiGatewayEvent`), for every webhook source of the registry, `POST /hooks`, and every other
 * route and method: the answer is always a 2xx or a JSON 4xx, never a 5xx, a rejection or a hang; a refused request
 * queues nothing; and what an accepted one queues, deliver reads back as it was queued. (An unhandled rejection
 * fails the test too: jest reports it.)
 */
jest.mock('../../lambda/net/exchange', () => jest.requireActual<typeof import('./sns-network')>('./sns-network').exchangeWithTestSns());

import fc from 'fast-check';
import { FUNCTION_MEMORY_MB, INGEST_TIMEOUT_SECONDS } from '../../infra/limits';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { ingestDependencies } from '../../lambda/ingest/dependencies';
import { createIngestHandler, type IngestHandler } from '../../lambda/ingest/handler';
import { fixedInboundSecret } from '../../lambda/ingest/inbound-secret';
import { apiGatewayEvent, lambdaContext } from '../../lambda/local/lambda-shapes';
import type { QueuedNotification } from '../../lambda/model/notification';
import { readDeliverSettings, readIngestSettings } from '../../lambda/runtime/config';
import { expectWellFormed, isRefusal, styleOf, withinTime, type Answer } from './answers';
import { hookRequest, strayRequest, type WireRequest } from './arbitraries';
import { seedsBySource, WEBHOOK_SOURCES } from './corpus';
import { assertProperty, runsOf, timeLimitMs } from './fuzz-settings';
import { SECRET } from './sender-proofs';
import { CHANNELS, EVERYTHING_ON } from './team';

/** SQS's limit for one message. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

interface Ingest {
  readonly name: string;
  readonly handler: IngestHandler;
  /** What the handler queued, since the last request. */
  readonly queued: QueuedNotification[];
  /** How a failing case names it. */
  readonly [fc.toStringMethod]: () => string;
}

/** The composition root with a test platform whose queue records what it is given. */
function ingest(name: string, options: { secret?: string; sourceSettings: string }): Ingest {
  const queued: QueuedNotification[] = [];
  const settings = readIngestSettings({ CHANNELS, SOURCE_SETTINGS: options.sourceSettings });
  const handler = createIngestHandler(
    ingestDependencies(settings, {
      inboundSecret: options.secret === undefined ? undefined : fixedInboundSecret(options.secret),
      enqueue: async (notifications) => void queued.push(...notifications),
    }),
  );
  return { name, handler, queued, [fc.toStringMethod]: () => `ingest ${name}` };
}

/** As deployed (a secret, default settings), and as `npm start` without `WEBHOOK_TOKEN` (nothing verified, everything on). */
const INGESTS = [
  ingest('deployed', { secret: SECRET, sourceSettings: '{}' }),
  ingest('local without a secret', { sourceSettings: EVERYTHING_ON }),
];
const deliverSettings = readDeliverSettings({ CHANNELS, SOURCE_SETTINGS: EVERYTHING_ON, STATE_TTL_SECONDS: '1728000' }).SOURCE_SETTINGS;

async function answer(target: Ingest, request: WireRequest): Promise<Answer> {
  target.queued.length = 0;
  const event = apiGatewayEvent({ method: request.method, url: request.url, headers: request.headers, body: request.body, sourceIp: '203.0.113.7' });
  const result = await withinTime(target.handler(event, lambdaContext('ingest', INGEST_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB)), 10_000, 'ingest');
  const headers = (result.headers ?? {}) as Record<string, unknown>;
  return { status: result.statusCode ?? 200, contentType: headers['content-type'] as string | undefined, body: result.body };
}

/** The properties of one request's answer and of what it queued. */
async function expectHandled(target: Ingest, request: WireRequest): Promise<void> {
  const reply = await answer(target, request);
  const body = expectWellFormed(reply, request.url);
  if (isRefusal(reply)) {
    expect(target.queued).toEqual([]);
    return;
  }
  if (styleOf(request.url, reply) === 'relay') expect(body).toMatchObject({ id: expect.any(String), queued: target.queued.length });
  for (const notification of target.queued) {
    const record = JSON.stringify(notification);
    expect(Buffer.byteLength(record)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(notificationsFromRecord(record, deliverSettings)).toEqual([JSON.parse(record)]);
  }
}

const target = fc.constantFrom(...INGESTS);
const seeds = seedsBySource();

describe('ingest handler under fuzzed requests', () => {
  describe.each(WEBHOOK_SOURCES)('POST /hooks/%s[/{channel}]', (source) => {
    const runs = runsOf(300);
    it(
      'answers 2xx or a JSON 4xx to its mutated fixtures, and queues nothing it refuses',
      async () => {
        await assertProperty(
          fc.asyncProperty(target, hookRequest(source, seeds.get(source)!), (into, request) => expectHandled(into, request)),
          runs,
        );
      },
      timeLimitMs(runs),
    );
  });

  const everySeed = [...seeds].flatMap(([source, list]) => list.map((seed) => ({ source, seed })));
  const autoRuns = runsOf(300);
  it(
    'POST /hooks (the sender recognised from the request): any source’s mutated fixtures',
    async () => {
      const detected = fc.constantFrom(...everySeed).chain(({ source, seed }) => hookRequest(source, [seed], fc.constant('/hooks')));
      await assertProperty(fc.asyncProperty(target, detected, (into, request) => expectHandled(into, request)), autoRuns);
    },
    timeLimitMs(autoRuns),
  );

  const strayRuns = runsOf(300);
  it(
    'other paths and methods: a JSON 4xx, nothing queued',
    async () => {
      await assertProperty(
        fc.asyncProperty(target, strayRequest(everySeed.map(({ seed }) => seed)), async (into, request) => {
          const reply = await answer(into, request);
          expectWellFormed(reply, request.url);
          if (isRefusal(reply)) expect(into.queued).toEqual([]);
        }),
        strayRuns,
      );
    },
    timeLimitMs(strayRuns),
  );
});
