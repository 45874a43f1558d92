/**
 * Per-source settings (`SOURCE_SETTINGS`, JSON `{"<source>": {...}}`, the team config's `sourceSettings`). Each source
 * owns the schema of its part. The functions check them at start-up and `cdk synth` checks the team config with the
 * same schemas, so a typo fails the synth, naming the setting, instead of silently changing what is posted.
 */
import * as v from 'valibot';
import { ConfigError, type Problem } from '../runtime/errors';
import { inWords, problemsOf } from '../runtime/validate';
import { SOURCES } from '.';
import type { Source } from './source';

/** Source name → that source's parsed settings. */
export type ResolvedSettings = ReadonlyMap<string, unknown>;

/** The parsed settings, or every problem found, each `field` a dotted path below the settings object (`github.inProgress`). */
export type SettingsCheck =
  | { readonly ok: true; readonly settings: ResolvedSettings }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** The names a source's settings object knows, for telling a typo what it could have meant. */
function knownSettings(source: Source<unknown, unknown>): string[] {
  const schema = source.settings as { entries?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.entries ?? {});
}

/** The problems at their setting; a setting the source does not know is told which ones it does. */
function problemsFor(source: Source<unknown, unknown>, issues: readonly v.BaseIssue<unknown>[]): Problem[] {
  return problemsOf(issues).map((problem, index) => {
    const issue = issues[index]!;
    const unknownKey = issue.type === 'strict_object' && issue.expected === 'never' && issue.path?.length === 1;
    return {
      field: issue.path ? `${source.name}.${problem.field}` : source.name,
      problem: unknownKey
        ? `is not a setting of ${source.name} (its settings: ${knownSettings(source).join(', ')})`
        : problem.problem,
    };
  });
}

/** Checks every source's part of `raw` with that source's own schema. */
export function checkSourceSettings(raw: Readonly<Record<string, unknown>>): SettingsCheck {
  const problems: Problem[] = [];
  const names = SOURCES.map((source) => source.name);
  const configurable = SOURCES.filter((source) => source.settings).map((source) => source.name);
  for (const name of Object.keys(raw)) {
    const source = SOURCES.find((candidate) => candidate.name === name);
    if (!source) problems.push({ field: name, problem: `is not a source (sources: ${names.join(', ')})` });
    else if (!source.settings) {
      problems.push({ field: name, problem: `has no settings (sources with settings: ${configurable.join(', ')})` });
    }
  }
  const settings = new Map<string, unknown>();
  for (const source of SOURCES) {
    if (!source.settings) continue;
    const value = Object.hasOwn(raw, source.name) ? raw[source.name] : {};
    // valibot's object schemas take a list for an object (its indexes as keys); settings never are one.
    if (Array.isArray(value)) {
      problems.push({ field: source.name, problem: 'must be an object, not a list' });
      continue;
    }
    const result = v.safeParse(source.settings, value, { message: inWords });
    if (result.success) settings.set(source.name, result.output);
    else problems.push(...problemsFor(source, result.issues));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}

/** The parsed settings; a `ConfigError` listing every problem as `SOURCE_SETTINGS.<source>.<setting>: problem`. */
export function resolveSourceSettings(raw: Readonly<Record<string, unknown>>): ResolvedSettings {
  const checked = checkSourceSettings(raw);
  if (checked.ok) return checked.settings;
  const problems = checked.problems.map((p) => ({ field: `SOURCE_SETTINGS.${p.field}`, problem: p.problem }));
  throw new ConfigError(problems.map((p) => `${p.field}: ${p.problem}`).join('\n'), problems);
}
