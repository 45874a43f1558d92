/** A file server on 127.0.0.1 standing in for a Grafana panel renderer: `image` (a PNG) at `/render/panel.png`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny PNG-typed body. */
export const IMAGE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(20_000, 7)]);

export async function imageServer(image: Buffer = IMAGE): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/render/panel.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      res.end(image);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
