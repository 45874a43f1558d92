/** The Spaces stand-in on its own loopback server, for tests of the client and of delivery without the local relay. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpacesStandIn, type StandInOptions } from '../../lambda/local/spaces-stand-in';

export const STAND_IN_TOKEN = 'stand-in-test-token';

export interface RunningStandIn {
  readonly url: string;
  readonly standIn: SpacesStandIn;
  close(): Promise<void>;
}

export async function startStandIn(options: Omit<StandInOptions, 'token' | 'publicUrl'> = {}): Promise<RunningStandIn> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const standIn = new SpacesStandIn({ ...options, token: STAND_IN_TOKEN, publicUrl: () => url });
  server.on('request', (req, res) => {
    standIn.handle(req, res, new URL(req.url ?? '/', url).pathname).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.destroy(),
    );
  });
  return {
    url,
    standIn,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
