/** A local relay for behaviour tests: quick retries and a fast queue clock, and a helper to send webhooks as a sender would. */
import { IN_PLACE_RETRY, type InPlaceRetry } from '../../lambda/deliver/retry-in-place';
import { startLocalRelay, type LocalRelay, type LocalRelayOptions } from '../../lambda/local/server';
import { imageServer, type FileServer } from './image-server';

export const WEBHOOK_TOKEN = 'relay-test-token';

/**
 * A queue second lasting a millisecond: the deployed back-off (30 s, then doubling) takes 30 ms, and a record that
 * keeps failing reaches the dead letters after its ten receives in a few seconds.
 */
export const FAST_QUEUE = { msPerSecond: 1 } as const;

/** The deployed rounds of retrying in place, milliseconds apart (no shorter than the test relay's settle pause). */
export const FAST_RETRY_IN_PLACE: InPlaceRetry = { rounds: IN_PLACE_RETRY.rounds, pauseMs: 5 };

/** The `CHANNELS` setting, as the stack writes it. */
export const channels = (map: Record<string, string>): { CHANNELS: string } => ({ CHANNELS: JSON.stringify(map) });

/** A local relay with the test defaults; `start` is another copy of `startLocalRelay` (one loaded with a verbose logger). */
export function startTestRelay(options: Partial<LocalRelayOptions> = {}, start = startLocalRelay): Promise<LocalRelay> {
  return start({
    port: 0,
    webhookToken: WEBHOOK_TOKEN,
    queue: FAST_QUEUE,
    ...options,
    settings: { ...channels({ default: 'ops-space' }), ...options.settings },
    tuning: {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1_000 },
      settleMs: 5,
      retryInPlace: FAST_RETRY_IN_PLACE,
      ...options.tuning,
    },
  });
}

/** The webhook token of `startRelayWithImages`'s relay. */
export const LOCAL_SECRET = 'local-secret';

/** A local relay as `npm start` runs it, and the image server its attachment URLs may name. */
export interface RelayWithImages {
  readonly relay: LocalRelay;
  readonly images: FileServer;
  close(): Promise<void>;
}

/**
 * A local relay with the deployed tuning (only the queue clock fast), the channels `default` and `ops`, token
 * `LOCAL_SECRET`, and an image server on the one host attachment URLs may name.
 */
export async function startRelayWithImages(): Promise<RelayWithImages> {
  const images = await imageServer();
  const relay = await startLocalRelay({
    port: 0,
    webhookToken: LOCAL_SECRET,
    settings: { CHANNELS: JSON.stringify({ default: 'space-default', ops: 'space-ops' }), ATTACHMENT_URL_HOSTS: images.url },
    queue: FAST_QUEUE,
  });
  return {
    relay,
    images,
    close: async () => {
      await relay.close();
      await images.close();
    },
  };
}

/** POSTs a webhook with the relay's token; returns the status. */
export async function sendHook(relay: LocalRelay, path: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${relay.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}
