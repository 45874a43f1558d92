/**
 * File servers on 127.0.0.1: one standing in for a Grafana panel renderer, and one that misbehaves in every way an
 * attachment host can (wrong types, sizes over the limit, slowness, redirects away).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny PNG-typed body. */
export const IMAGE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(20_000, 7)]);

/** A server that is listening: its origin (`http://127.0.0.1:<port>`) and how to stop it. */
export interface FileServer {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<FileServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      // A slow answer still dripping would hold `close` open.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `image` (a PNG) at `/render/panel.png`, nothing else. */
export function imageServer(image: Buffer = IMAGE): Promise<FileServer> {
  return listen((req, res) => {
    if (req.url === '/render/panel.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      res.end(image);
    } else {
      res.writeHead(404).end();
    }
  });
}

/**
 * An attachment host: `IMAGE` at `/panel.png` (and after a redirect from `/to-listed`), and every way of failing a
 * download at a path of its own: `/login.png` (an HTML page), `/data.png` (JSON), `/huge.png` (declares 5 MB),
 * `/endless.png` (2.5 MB undeclared), `/slow.png` (a byte every 50 ms, never done), `/elsewhere.png` (redirects to an
 * unlisted host), `/to-metadata` (redirects to the instance metadata address), `/loop.png` (redirects to itself),
 * `/unavailable.png` (503); anything else is a 404.
 */
export function hostileFileServer(): Promise<FileServer> {
  return listen((req, res) => {
    switch (req.url) {
      case '/panel.png':
        return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': IMAGE.length }).end(IMAGE);
      case '/to-listed':
        return void res.writeHead(301, { location: '/panel.png' }).end();
      case '/login.png':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
      case '/data.png':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      case '/huge.png':
        return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': 5_000_000 }).end();
      case '/endless.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 40; i += 1) res.write(Buffer.alloc(64 * 1024));
        return void res.end();
      case '/slow.png': {
        res.writeHead(200, { 'content-type': 'image/png' });
        const drip = setInterval(() => res.write('x'), 50);
        return void res.on('close', () => clearInterval(drip));
      }
      case '/elsewhere.png':
        return void res.writeHead(302, { location: 'https://evil.example.net/panel.png' }).end();
      case '/to-metadata':
        return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      case '/loop.png':
        return void res.writeHead(302, { location: '/loop.png' }).end();
      case '/unavailable.png':
        return void res.writeHead(503).end();
      default:
        return void res.writeHead(404).end();
    }
  });
}
