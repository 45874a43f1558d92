/**
 * JSON from outside the relay (webhook bodies, queue records, messages inside envelopes), parsed with limits on its
 * shape. `JSON.parse` itself copes with any depth, but the code behind it (validation, delivery keys, rendering)
 * walks values recursively: 5,000 levels of nesting overflowed the stack and turned a bad payload into a 5xx that the
 * sender retried forever. An own `__proto__` key, harmless in the parsed value, changes an object's prototype as
 * soon as some code copies it by assignment. And an escaped surrogate without its pair (`"\ud800"`) is valid JSON
 * but no text: `encodeURIComponent` throws on it (console links are built from alarm and pipeline names).
 */

/** Deeper than any sender's payload (Grafana's `values`, GitHub's `workflow_run`, SNS in SQS in EventBridge). */
export const MAX_JSON_DEPTH = 64;
/** More entries than any list a sender sends (Alertmanager groups are capped far lower with `max_alerts`). */
export const MAX_JSON_ARRAY = 10_000;

/** Parsed JSON whose shape is outside the limits; `field` is the dotted path of the first place that is. */
export class JsonShapeError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'JsonShapeError';
  }
}

/** A UTF-16 surrogate that is not half of a pair: with the `u` flag, a pair is one code point and does not match. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const NOT_TEXT = 'is not text: it holds a lone surrogate (an escape such as \\ud800 without its pair)';

/** The first place in `value` outside the limits, walked without recursion; undefined when there is none. */
function firstProblem(value: unknown): JsonShapeError | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '(root)', depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'string' && UNPAIRED_SURROGATE.test(current)) return new JsonShapeError(path, NOT_TEXT);
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return new JsonShapeError(path, `nested more than ${MAX_JSON_DEPTH} levels deep`);
    const at = (key: string | number): string => (path === '(root)' ? String(key) : `${path}.${key}`);
    if (Array.isArray(current)) {
      if (current.length > MAX_JSON_ARRAY) return new JsonShapeError(path, `has ${current.length} entries; at most ${MAX_JSON_ARRAY}`);
      current.forEach((entry, index) => pending.push({ value: entry, path: at(index), depth: depth + 1 }));
      continue;
    }
    for (const [key, entry] of Object.entries(current)) {
      if (key === '__proto__') return new JsonShapeError(at(key), 'is not allowed as a key');
      if (UNPAIRED_SURROGATE.test(key)) return new JsonShapeError(path, `has a key that ${NOT_TEXT}`);
      pending.push({ value: entry, path: at(key), depth: depth + 1 });
    }
  }
  return undefined;
}

/** `JSON.parse`, then the shape limits: throws `SyntaxError` for text that is not JSON, `JsonShapeError` past a limit. */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const problem = firstProblem(value);
  if (problem) throw problem;
  return value;
}
