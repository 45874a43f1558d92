/**
 * What a message is about, in the sender's own terms, for the team's routes and mentions to match on: its labels and
 * annotations, the repository and branch of a build, the project or pipeline, the bucket and key of a file, the
 * person who committed. Never shown (the fields say the same for people); bounded when queued, so that facts cannot
 * crowd out what a message shows.
 */
import * as v from 'valibot';
import { cutText } from '../runtime/text';

const StringMap = v.record(v.string(), v.string());

export const FactsSchema = v.object({
  /** Alert labels (of one alert, or those all alerts of a group share); a generic message's fields. */
  labels: v.optional(StringMap),
  /** Alert annotations (of one alert, or those all alerts of a group share). */
  annotations: v.optional(StringMap),
  /** `owner/name` or the sender's project path. */
  repository: v.optional(v.string()),
  /** The branch a build ran on (not set for a tag). */
  branch: v.optional(v.string()),
  /** The CodeBuild project, CodePipeline pipeline or Jenkins job. */
  project: v.optional(v.string()),
  bucket: v.optional(v.string()),
  /** The object key of an S3 event. */
  key: v.optional(v.string()),
  /** Who pushed or started a build, as the sender names them (a login): mentioned only through the team's map. */
  committer: v.optional(v.string()),
});
export type Facts = v.InferOutput<typeof FactsSchema>;

/** The most entries kept of each map: labels beyond it are rarely what a rule is about. */
const MAX_ENTRIES = 32;
/** Keys and values longer than this are cut (an S3 key keeps up to S3's own 1,024). */
const MAX_CHARS = 256;
const MAX_KEY_CHARS = 1_024;
/** The most a message's facts take in a queue message (its head has 100 KB; items share the rest). */
export const MAX_FACTS_BYTES = 8_000;

/** A value's size as JSON, in UTF-8 bytes: what it adds to a queued notification. */
export const byteSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * `facts` within `MAX_FACTS_BYTES`: values cut, maps kept to their first entries, and then, if still too large, the
 * last map entries left out. Done when a message is queued, so ingest and deliver match on the same facts.
 */
export function boundedFacts(facts: Facts): Facts {
  const cut = (text: string | undefined, max = MAX_CHARS) => (text === undefined ? undefined : cutText(text, max));
  const map = (entries: Record<string, string> | undefined) =>
    entries && Object.fromEntries(Object.entries(entries).slice(0, MAX_ENTRIES).map(([k, value]) => [cut(k)!, cut(value)!]));
  const bounded: Facts = {
    labels: map(facts.labels),
    annotations: map(facts.annotations),
    repository: cut(facts.repository),
    branch: cut(facts.branch),
    project: cut(facts.project),
    bucket: cut(facts.bucket),
    key: cut(facts.key, MAX_KEY_CHARS),
    committer: cut(facts.committer),
  };
  // Annotations go first (long texts, rarely matched on), then labels, from the end.
  let excess = byteSize(bounded) - MAX_FACTS_BYTES;
  for (const name of ['annotations', 'labels'] as const) {
    const entries = Object.entries(bounded[name] ?? {});
    while (excess > 0 && entries.length > 0) excess -= byteSize(entries.pop()) - 1;
    if (bounded[name]) bounded[name] = Object.fromEntries(entries);
  }
  return Object.fromEntries(Object.entries(bounded).filter(([, value]) => value !== undefined)) as Facts;
}

/** The facts a sender gave, without the ones it did not (nor empty ones): `undefined` when it gave none. */
export function knownFacts(given: Facts): Facts | undefined {
  const isGiven = (value: unknown) => (typeof value === 'object' ? Object.keys(value as object).length > 0 : value !== undefined && value !== '');
  const known = Object.entries(given).filter(([, value]) => isGiven(value));
  return known.length > 0 ? (Object.fromEntries(known) as Facts) : undefined;
}
