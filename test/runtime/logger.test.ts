import { startLocalRelay } from '../../lambda/local/server';
import { logger } from '../../lambda/runtime/logger';
import { fixtureBytes } from '../support/fixtures';

describe('logs', () => {
  it('are structured JSON, tell every outcome, and never hold the webhook secret or the Spaces token', async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      lines.push(String(chunk));
      return true;
    };
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    logger.setLogLevel('DEBUG');
    const secret = 'inbound-secret-XYZ123';
    const relay = await startLocalRelay({ port: 0, webhookToken: secret, channels: { default: 'space-1' } });
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
      logger.setLogLevel('SILENT');
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
