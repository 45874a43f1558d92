/**
 * The `match` of a team's routes and mentions: which messages a rule is about, by what the message says of itself
 * (source, status, severity, title) and its facts (`model/facts.ts`). Checked with this schema by the functions at
 * start-up and by `cdk synth`, each problem at its field (`routes.2.match.labels.team`); compiled once at start-up.
 */
import * as v from 'valibot';
import type { Facts } from '../model/facts';
import { STATUSES, type ChatMessage } from '../model/message';
import { SOURCES } from '../sources';

/** A value to compare with: exactly this, any of these, or a regular expression (found anywhere in the value). */
export type Matcher = string | readonly string[] | { readonly regex: string };

/** The longest pattern taken: enough for any branch or label rule, short enough to read. */
const MAX_PATTERN_CHARS = 200;
/** A regular expression sees at most this much of a value (facts are bounded so; titles are cut to it). */
const MAX_MATCHED_CHARS = 256;
/** Unbounded repetitions one pattern may have: each one more multiplies the worst-case time by the value's length. */
const MAX_REPETITIONS = 3;

/** Whether a quantifier starts at `at` (`*`, `+`, `{n}`, `{n,}`, `{n,m}`; `?` only makes a thing optional). */
function repetitionAt(pattern: string, at: number): 'unbounded' | 'bounded' | undefined {
  const c = pattern[at];
  if (c === '*' || c === '+') return 'unbounded';
  if (c !== '{') return undefined;
  const braces = /^\{\d+(,(\d*))?\}/.exec(pattern.slice(at));
  if (!braces) return undefined;
  return braces[1] !== undefined && braces[2] === '' ? 'unbounded' : 'bounded';
}

/**
 * Why a pattern could take too long on a hostile value, or `undefined`. JavaScript's engine backtracks and cannot be
 * stopped, so the relay refuses what backtracks exponentially — a repeated group that itself repeats or has
 * alternatives (`(a+)+`, `(a|ab)*`), back-references — and more than `MAX_REPETITIONS` unbounded repetitions.
 */
function slowPattern(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'uses a back-reference, which can take exponential time';
  // Per open group: whether it holds a repetition or alternatives.
  const groups: boolean[] = [false];
  let closed: boolean | undefined;
  let unbounded = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    const repetition = repetitionAt(pattern, i);
    if (repetition) {
      if (closed) return 'repeats a group that itself repeats or has alternatives (like (a+)+), which can take exponential time';
      if (repetition === 'unbounded') unbounded += 1;
      groups[groups.length - 1] = true;
      closed = undefined;
      continue;
    }
    if (c === '?' && pattern[i - 1] !== '(') continue;
    closed = undefined;
    if (c === '\\') i += 1;
    else if (c === '[') {
      // A character class: nothing in it repeats or alternates.
      i += pattern[i + 1] === '^' ? 2 : 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (c === '(') groups.push(false);
    else if (c === ')' && groups.length > 1) {
      closed = groups.pop();
      if (closed) groups[groups.length - 1] = true;
    } else if (c === '|') groups[groups.length - 1] = true;
  }
  if (unbounded > MAX_REPETITIONS) return `has ${unbounded} unbounded repetitions (* + {n,}); at most ${MAX_REPETITIONS}`;
  return undefined;
}

/** Why `pattern` is not a usable regular expression, or `undefined`. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'must not be empty';
  if (pattern.length > MAX_PATTERN_CHARS) return `is ${pattern.length} characters long; at most ${MAX_PATTERN_CHARS}`;
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  return slowPattern(pattern);
}

/** The values a matcher may name as exact ones, where there is a fixed set (statuses, sources). */
interface Vocabulary {
  readonly what: string;
  readonly plural: string;
  readonly values: readonly string[];
}

const MATCHER_SHAPE = 'must be a string, a list of strings, or {"regex": "…"}';

/** Why `value` is not a matcher, or `undefined`. */
function matcherProblem(value: unknown, vocabulary?: Vocabulary, regex = true): string | undefined {
  const unknown = (text: string) =>
    vocabulary && !vocabulary.values.includes(text)
      ? `"${text}" is not a ${vocabulary.what} (${vocabulary.plural}: ${vocabulary.values.join(', ')})`
      : undefined;
  if (typeof value === 'string') return unknown(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'must not be an empty list';
    if (!value.every((entry) => typeof entry === 'string')) return MATCHER_SHAPE;
    return value.map(unknown).find(Boolean);
  }
  if (regex && typeof value === 'object' && value !== null && Object.keys(value).join() === 'regex') {
    const pattern = (value as { regex: unknown }).regex;
    if (typeof pattern !== 'string') return 'regex must be a string';
    const problem = patternProblem(pattern);
    return problem && `regex ${JSON.stringify(pattern)} ${problem}`;
  }
  return regex ? MATCHER_SHAPE : 'must be a string or a list of strings';
}

const matcher = (vocabulary?: Vocabulary, regex = true) =>
  v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const problem = matcherProblem(dataset.value, vocabulary, regex);
      if (problem === undefined) return dataset.value as Matcher;
      addIssue({ message: problem });
      return NEVER;
    }),
  );

/** An object of known keys; any other is named with the known ones. Comment keys (`//…`) are allowed and dropped. */
export const knownKeys = <E extends v.ObjectEntries>(entries: E) => {
  const known = `is not a known field (known fields: ${Object.keys(entries).join(', ')})`;
  return v.pipe(
    v.custom<Record<string, unknown>>((input) => typeof input === 'object' && input !== null && !Array.isArray(input), 'must be an object'),
    v.rawCheck(({ dataset, addIssue }) => {
      const value = dataset.value as Record<string, unknown>;
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(entries, key) && !key.startsWith('//')) {
          addIssue({ message: known, path: [{ type: 'object', origin: 'key', input: value, key, value: value[key] }] });
        }
      }
    }),
    // A strict object would refuse the comments; this one leaves them (and nothing else, after the check) out.
    v.object(entries),
  );
};

const LabelMatchers = v.pipe(
  v.record(v.string(), matcher()),
  v.check((labels) => Object.keys(labels).length > 0, 'must name at least one label'),
);

export const MatchSchema = knownKeys({
  source: v.optional(matcher({ what: 'source', plural: 'sources', values: SOURCES.map((source) => source.name) }, false)),
  status: v.optional(matcher({ what: 'status', plural: 'statuses', values: STATUSES }, false)),
  severity: v.optional(matcher()),
  title: v.optional(matcher()),
  labels: v.optional(LabelMatchers),
  annotations: v.optional(LabelMatchers),
  repository: v.optional(matcher()),
  branch: v.optional(matcher()),
  project: v.optional(matcher()),
  bucket: v.optional(matcher()),
  /** Key prefixes of an S3 object: the key starts with one of them. */
  prefix: v.optional(matcher(undefined, false)),
});
export type Match = v.InferOutput<typeof MatchSchema>;

/** Whether a message is one a rule is about. */
export type MessageTest = (message: ChatMessage) => boolean;

/** A matcher as a test of one value; a value the message does not have never matches. */
function valueTest(matcher: Matcher, compare: (value: string, wanted: string) => boolean = (a, b) => a === b) {
  if (typeof matcher === 'string') return (value: string | undefined) => value !== undefined && compare(value, matcher);
  if (Array.isArray(matcher)) return (value: string | undefined) => value !== undefined && matcher.some((wanted) => compare(value, wanted));
  const pattern = new RegExp((matcher as { regex: string }).regex, 'u');
  return (value: string | undefined) => value !== undefined && pattern.test(value.slice(0, MAX_MATCHED_CHARS));
}

type FactName = 'repository' | 'branch' | 'project' | 'bucket';
const FACTS: readonly FactName[] = ['repository', 'branch', 'project', 'bucket'];

/** Compiles a match (regular expressions once); a message matches when every key given matches. */
export function compileMatch(match: Match): MessageTest {
  const tests: MessageTest[] = [];
  const on = (matcher: Matcher | undefined, read: (message: ChatMessage) => string | undefined) => {
    if (matcher === undefined) return;
    const test = valueTest(matcher);
    tests.push((message) => test(read(message)));
  };
  const facts = (message: ChatMessage): Facts => message.facts ?? {};
  on(match.source, (m) => m.source);
  on(match.status, (m) => m.status);
  on(match.severity, (m) => m.severity);
  on(match.title, (m) => m.title);
  for (const name of FACTS) on(match[name], (m) => facts(m)[name]);
  for (const map of ['labels', 'annotations'] as const) {
    for (const [label, matcher] of Object.entries(match[map] ?? {})) on(matcher, (m) => facts(m)[map]?.[label]);
  }
  if (match.prefix !== undefined) {
    const test = valueTest(match.prefix, (key, prefix) => key.startsWith(prefix));
    tests.push((message) => test(facts(message).key));
  }
  return (message) => tests.every((test) => test(message));
}
