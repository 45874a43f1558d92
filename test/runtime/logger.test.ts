import type * as LocalServer from '../../lambda/local/server';
import { fixtureBytes } from '../support/fixtures';

/**
 * The relay's modules as a process started with `POWERTOOLS_LOG_LEVEL=DEBUG` has them: the handlers reset the level
 * to the one the logger started with at every warm invocation, so it has to be set before the logger is created.
 */
function loadVerbose(): typeof LocalServer {
  const saved = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  try {
    let server: typeof LocalServer | undefined;
    jest.isolateModules(() => {
      server = require('../../lambda/local/server') as typeof LocalServer;
    });
    return server!;
  } finally {
    process.env.POWERTOOLS_LOG_LEVEL = saved;
  }
}

describe('logs', () => {
  it('are structured JSON, tell every outcome, and never hold the webhook secret or the Spaces token', async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      lines.push(String(chunk));
      return true;
    };
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    const secret = 'inbound-secret-XYZ123';
    const { startLocalRelay } = loadVerbose();
    const relay = await startLocalRelay({ port: 0, webhookToken: secret, queue: { msPerSecond: 1 } });
    try {
      const post = (auth: string) =>
        fetch(`${relay.url}/hooks/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: fixtureBytes('alertmanager', 'firing_single_alert_capture.json'),
        });
      await post(`Bearer ${secret}`);
      await post(`Bearer ${secret}-wrong`);
      await post(secret);
      await relay.queue.idle();
    } finally {
      await relay.close();
      for (const spy of spies) spy.mockRestore();
    }

    const records = lines.flatMap((line) => line.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.message)).toEqual(
      expect.arrayContaining(['webhook accepted', 'delivered', 'webhook rejected']),
    );
    expect(records.filter((r) => r.message === 'webhook rejected')).toHaveLength(2);
    const all = lines.join('');
    expect(all).not.toContain(secret);
    expect(all).not.toContain('local-stand-in-token');
  });
});
