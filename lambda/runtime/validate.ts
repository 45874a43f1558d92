import * as v from 'valibot';
import { BadRequestError, type Problem } from './errors';
import { cutText } from './text';

/** At most this many problems are reported: enough to fix a payload, not enough to echo it back. */
const MAX_PROBLEMS = 10;

/** valibot issues → `{field, problem}` pairs, the field as a dotted path (`alerts.0.labels`). */
export function problemsOf(issues: readonly v.BaseIssue<unknown>[]): Problem[] {
  return issues.slice(0, MAX_PROBLEMS).map((issue) => ({
    field: v.getDotPath(issue) ?? '(root)',
    problem: issue.message,
  }));
}

/** Parses `input` with `schema`, or throws `BadRequestError` naming the first bad field of `what`. */
export function validate<T>(schema: v.GenericSchema<unknown, T>, input: unknown, what: string): T {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const problems = problemsOf(result.issues);
  const first = problems[0]!;
  throw new BadRequestError(`${what}: ${first.field}: ${first.problem}`, { problems });
}

/** valibot's names of the JSON types, as a person says them. */
const TYPES_IN_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  Array: 'a list',
  Object: 'an object',
};

/** A value as a message shows it: its kind for a list or an object, else the value itself, cut short. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? cutText(text, 39) : text;
}

/**
 * Words for the issues of schemas given no message of their own; pass it as the `message` of a parse's config.
 * valibot's own ("Invalid type: Expected string but received undefined") names its types, not what to do: a missing
 * value is `required`, a value of the wrong type says the type it must be (`must be a list, not "github"`), and a key
 * a strict object does not know `is not a known field`. Anything else keeps valibot's words.
 */
export function inWords(issue: v.BaseIssue<unknown>): string {
  if (issue.kind !== 'schema') return issue.message;
  if (issue.expected === 'never') return 'is not a known field';
  if (issue.input === undefined) return 'required';
  const type = issue.expected === null ? undefined : TYPES_IN_WORDS[issue.expected];
  return type ? `must be ${type}, not ${shown(issue.input)}` : issue.message;
}

/** An issue path to a nested value, so that a problem found across fields is reported at the one it concerns. */
export function issuePathOf(root: object, ...keys: (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] {
  let input: unknown = root;
  const items = keys.map((key): v.IssuePathItem => {
    const value = (input as Record<string | number, unknown>)[key];
    const item: v.IssuePathItem =
      typeof key === 'number'
        ? { type: 'array', origin: 'value', input: input as unknown[], key, value }
        : { type: 'object', origin: 'value', input: input as Record<string, unknown>, key, value };
    input = value;
    return item;
  });
  return items as [v.IssuePathItem, ...v.IssuePathItem[]];
}

/** The issue path of a problem's dotted `field` (`github.states.1`) below `root`. */
export function issuePathAt(root: object, field: string): [v.IssuePathItem, ...v.IssuePathItem[]] {
  return issuePathOf(root, ...field.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key)));
}
