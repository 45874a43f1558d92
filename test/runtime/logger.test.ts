import type * as LocalServer from '../../lambda/local/server';
import type * as Credentials from '../../lambda/spaces/credentials';
import { fixtureBytes } from '../support/fixtures';
import { captured, loadVerbose, logRecords } from '../support/logs';
import { FAST_QUEUE, sendHook, WEBHOOK_TOKEN } from '../support/relay';
import { grantSecret, startSpacesServer, TEST_GRANT, type RunningStandIn } from '../support/spaces-server';

/** The relay's modules with a verbose logger of their own. */
function verboseModules(): { server: typeof LocalServer; credentials: typeof Credentials } {
  return loadVerbose(() => ({
    server: require('../../lambda/local/server') as typeof LocalServer,
    credentials: require('../../lambda/spaces/credentials') as typeof Credentials,
  }));
}

describe('logs', () => {
  it('are structured JSON, tell every outcome, and never hold the webhook secret or the Spaces token', async () => {
    const secret = 'inbound-secret-XYZ123';
    const { startLocalRelay } = verboseModules().server;

    const lines = await captured(async () => {
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
      }
    });

    const records = logRecords(lines);
    expect(records.map((r) => r.message)).toEqual(
      expect.arrayContaining(['webhook accepted', 'delivered', 'webhook rejected']),
    );
    expect(records.filter((r) => r.message === 'webhook rejected')).toHaveLength(2);
    const all = lines.join('');
    expect(all).not.toContain(secret);
    expect(all).not.toContain('local-stand-in-token');
  });

  describe('of OAuth renewals', () => {
    let spaces: RunningStandIn | undefined;
    afterEach(async () => spaces?.close());

    it('never hold the client secret, a refresh token or an access token, nor do the errors and dead-letter reasons', async () => {
      // Prepare
      const WRONG_CLIENT_SECRET = 'wrong-client-secret-Zz9';
      let refusePosts = false;
      spaces = await startSpacesServer({ oauth: TEST_GRANT, fault: (op) => (op === 'post' && refusePosts ? { status: 401 } : undefined) });
      const { server, credentials } = verboseModules();
      const errors: string[] = [];
      const reasons: string[] = [];

      // Act: a renewal with rotation, a fresh token refused, a failed write-back, a revoked grant, a wrong client.
      const lines = await captured(async () => {
        const relay = (token: string) =>
          server.startLocalRelay({ port: 0, webhookToken: WEBHOOK_TOKEN, queue: { ...FAST_QUEUE, maxReceives: 2 }, spaces: { baseUrl: spaces!.url, token } });
        const renewing = await relay(grantSecret(spaces!.url));
        try {
          await sendHook(renewing, '/hooks/generic', { text: 'first' });
          await renewing.queue.idle();
          refusePosts = true;
          await sendHook(renewing, '/hooks/generic', { text: 'refused' });
          await renewing.queue.idle();
          refusePosts = false;
          reasons.push(...renewing.queue.deadLetters.map((letter) => letter.reason));
        } finally {
          await renewing.close();
        }
        const readOnly = credentials.spacesCredentials({
          secret: {
            name: 'read-only',
            read: async () => grantSecret(spaces!.url, { ...TEST_GRANT, refreshToken: spaces!.standIn.validRefreshTokens[0]! }),
            write: async () => Promise.reject(new Error('denied')),
          },
          lease: { take: async () => async () => undefined },
        });
        await readOnly.get();
        spaces!.standIn.revokeGrant();
        const revoked = await relay(grantSecret(spaces!.url));
        try {
          await sendHook(revoked, '/hooks/generic', { text: 'revoked' });
          await revoked.queue.idle();
          reasons.push(...revoked.queue.deadLetters.map((letter) => letter.reason));
        } finally {
          await revoked.close();
        }
        const wrongClient = credentials.textCredentials(grantSecret(spaces!.url, { ...TEST_GRANT, clientSecret: WRONG_CLIENT_SECRET }));
        await wrongClient.get().catch((error: Error) => errors.push(error.message));
      });

      // Assess: the scenario happened (tokens issued, both kinds of dead letters), and left no token behind.
      expect(spaces.standIn.issued).toHaveLength(4);
      expect(reasons).toEqual([expect.stringContaining('too fresh to have expired'), expect.stringContaining('invalid_grant')]);
      const records = logRecords(lines);
      expect(records.map((r) => r.message)).toEqual(
        expect.arrayContaining([
          'Spaces access token renewed',
          'Spaces credential failed; the batch goes back to the queue',
          'renewed grant kept in memory only (SPACES_TOKEN is not changed)',
          'renewed grant not stored in the token secret',
        ]),
      );
      expect(errors).toEqual([expect.stringContaining('the client id or client secret is wrong')]);
      const everything = [...lines, ...reasons, ...errors].join('\n');
      for (const secret of [TEST_GRANT.clientSecret, WRONG_CLIENT_SECRET, TEST_GRANT.refreshToken, ...spaces.standIn.issued]) {
        expect(everything).not.toContain(secret);
      }
    });
  });
});
