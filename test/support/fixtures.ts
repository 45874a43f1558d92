/** Real webhook and event payloads (see test/fixtures/README.md for where each comes from). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundRequest } from '../../lambda/sources/source';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** The body files of a fixture folder (header sidecars and shared header files left out). */
export function fixtureNames(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((name) => name.endsWith('.json') && !name.endsWith('.headers.json') && !name.startsWith('_'))
    .sort();
}

export function fixtureBytes(folder: string, name: string): Buffer {
  return readFileSync(join(FIXTURES, folder, name));
}

export function fixtureJson<T = any>(folder: string, name: string): T {
  return JSON.parse(fixtureBytes(folder, name).toString('utf8')) as T;
}

/** A POST as the sender would make it: the fixture's raw bytes, JSON content type, and the given extra headers. */
export function webhookRequest(path: string, body: Buffer | string, headers: Record<string, string> = {}): InboundRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...lower },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  };
}

/** A fixture's `*.headers.json` sidecar: the request headers as sent, and the secret its signatures were computed with. */
export function fixtureSidecar(folder: string, name: string): { headers: Record<string, string>; secret?: string } {
  const sidecar = fixtureJson<{ headers: Record<string, string>; webhook_secret_for_signature_tests?: string }>(
    folder,
    name.replace(/\.json$/, '.headers.json'),
  );
  return { headers: sidecar.headers, secret: sidecar.webhook_secret_for_signature_tests };
}
