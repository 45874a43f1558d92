/** A local relay for behaviour tests: quick retries, and a helper to send webhooks as a sender would. */
import { startLocalRelay, type LocalRelay, type LocalRelayOptions } from '../../lambda/local/server';

export const WEBHOOK_TOKEN = 'relay-test-token';

export function startTestRelay(options: Partial<LocalRelayOptions> = {}): Promise<LocalRelay> {
  return startLocalRelay({
    port: 0,
    webhookToken: WEBHOOK_TOKEN,
    channels: { default: 'ops-space' },
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1_000 },
    queue: { maxReceives: 5, retryDelayMs: () => 5 },
    settleMs: 5,
    ...options,
  });
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
