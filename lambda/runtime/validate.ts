import * as v from 'valibot';
import { BadRequestError, type Problem } from './errors';

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
