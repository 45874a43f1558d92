/**
 * The real payloads the local page's "try a payload" panel offers: the fixture folders (`test/fixtures`, and the
 * shared set beside the checkout), each file under the source its folder is named for (`aws_codebuild` → `codebuild`).
 * Only files listed here are ever read, so a request cannot name its way out of the folders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { findSource } from '../sources';

/** One fixture: the source it is for and its file name. */
export interface Fixture {
  readonly source: string;
  readonly name: string;
}

/** A fixture's body, and the headers its sender sent with it (from the `*.headers.json` sidecar, when there is one). */
export interface FixturePayload {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FixtureCatalog {
  /** Every fixture, by source then name. */
  readonly fixtures: readonly Fixture[];
  /** The fixture's body and headers; undefined for one that is not listed. */
  read(source: string, name: string): FixturePayload | undefined;
}

const SidecarSchema = v.object({ headers: v.record(v.string(), v.string()) });

/** A payload's `*.headers.json` sidecar that is not `{"headers": {"Name": "value"}}`. */
export class SidecarError extends Error {}

/**
 * The headers in the sidecar beside a payload file (`x.json` → `x.headers.json`, as the fixtures have them); none
 * when there is no sidecar. Throws `SidecarError` for one that is not `{"headers": {...}}`.
 */
export function sidecarHeaders(payloadPath: string): Record<string, string> {
  const path = payloadPath.replace(/\.json$/, '.headers.json');
  if (path === payloadPath || !existsSync(path)) return {};
  let parsed;
  try {
    parsed = v.safeParse(SidecarSchema, JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) throw new SidecarError(`${path}: expected {"headers": {"Name": "value"}}`);
  return parsed.output.headers;
}

/** The catalog of the fixture folders in `dirs` (missing ones skipped); a name found in two is taken from the first. */
export function fixtureCatalog(dirs: readonly string[]): FixtureCatalog {
  const files = new Map<string, { fixture: Fixture; path: string }>();
  for (const dir of dirs.filter((candidate) => existsSync(candidate))) {
    for (const folder of readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      const source = findSource(folder.name.replace(/^aws_/, ''));
      if (!source) continue;
      for (const name of readdirSync(join(dir, folder.name))) {
        const key = `${source.name}/${name}`;
        if (!name.endsWith('.json') || name.endsWith('.headers.json') || name.startsWith('_') || files.has(key)) continue;
        files.set(key, { fixture: { source: source.name, name }, path: join(dir, folder.name, name) });
      }
    }
  }
  const fixtures = [...files.values()].map((file) => file.fixture).sort((a, b) => a.source.localeCompare(b.source) || a.name.localeCompare(b.name));
  return {
    fixtures,
    read: (source, name) => {
      const file = files.get(`${source}/${name}`);
      if (!file) return undefined;
      return { body: readFileSync(file.path, 'utf8'), headers: sidecarHeaders(file.path) };
    },
  };
}
