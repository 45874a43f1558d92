/** The Spaces stand-in on its own 127.0.0.1 port, as the tests' fake Spaces API. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpacesStandIn, type StandInOptions } from '../../lambda/local/spaces-stand-in';

export const TEST_TOKEN = 'test-token-0123456789';

/** The grant an OAuth-mode stand-in starts with (`startSpacesServer({ oauth: TEST_GRANT })`). */
export const TEST_GRANT = {
  clientId: 'relay-test-client',
  clientSecret: 'client-secret-Qm7vX2',
  refreshToken: 'refresh-token-initial-K4p9Tz',
} as const;

/** The token secret's text for a grant on the stand-in at `url`, as an operator would store it. */
export function grantSecret(url: string, grant: { clientId: string; clientSecret: string; refreshToken: string } = TEST_GRANT): string {
  return JSON.stringify({ oauth: { ...grant, tokenUrl: `${url}/oauth2/access_token` } });
}

export interface RunningStandIn {
  readonly url: string;
  readonly standIn: SpacesStandIn;
  close(): Promise<void>;
}

export async function startSpacesServer(options: Partial<Omit<StandInOptions, 'publicUrl'>> = {}): Promise<RunningStandIn> {
  let url = '';
  const standIn = new SpacesStandIn({ token: TEST_TOKEN, ...options, publicUrl: () => url });
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    standIn.handle(req, res, path).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    standIn,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
