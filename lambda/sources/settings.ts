/**
 * Per-source settings (`SOURCE_SETTINGS`, JSON `{"<source>": {...}}`, from the team config). Each source owns the
 * schema of its part; they are all checked at start-up, so a typo fails the deploy's first invocation loudly
 * instead of silently changing what is posted.
 */
import * as v from 'valibot';
import { ConfigError } from '../runtime/config';
import { problemsOf } from '../runtime/validate';
import { SOURCES } from '.';

/** Source name → that source's parsed settings. */
export type ResolvedSettings = ReadonlyMap<string, unknown>;

export function resolveSourceSettings(raw: Readonly<Record<string, unknown>>): ResolvedSettings {
  const unknown = Object.keys(raw).filter((name) => !SOURCES.some((source) => source.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(`SOURCE_SETTINGS: unknown source(s) ${unknown.join(', ')}; known: ${SOURCES.map((s) => s.name).join(', ')}`);
  }
  const resolved = new Map<string, unknown>();
  for (const source of SOURCES) {
    if (!source.settings) continue;
    const result = v.safeParse(source.settings, raw[source.name] ?? {});
    if (!result.success) {
      const problem = problemsOf(result.issues)[0]!;
      throw new ConfigError(`SOURCE_SETTINGS.${source.name}.${problem.field}: ${problem.problem}`);
    }
    resolved.set(source.name, result.output);
  }
  return resolved;
}
