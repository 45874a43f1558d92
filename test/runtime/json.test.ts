import { JsonShapeError, MAX_JSON_ARRAY, MAX_JSON_DEPTH, parseJson } from '../../lambda/runtime/json';

/** `{"a":{"a":…}}` nested `depth` levels. */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('parseJson', () => {
  it('parses payloads within the limits as JSON.parse does', () => {
    // Prepare
    const text = JSON.stringify({ alerts: Array.from({ length: 100 }, (_, i) => ({ labels: { n: i } })), deep: JSON.parse(nested(MAX_JSON_DEPTH - 2)) });

    // Act / Assess
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['nested 5,000 levels deep', nested(5_000), /nested more than 64 levels deep/],
    ['an array past the limit', JSON.stringify({ alerts: new Array(MAX_JSON_ARRAY + 1).fill(0) }), /alerts: has 10001 entries; at most 10000/],
    ['a __proto__ key, however deep', '{"alerts":[{"labels":{"__proto__":{"polluted":true}}}]}', /alerts\.0\.labels\.__proto__: is not allowed as a key/],
    ['a lone surrogate in a value', '{"detail":{"alarmName":"cpu \\ud800 high"}}', /detail\.alarmName: is not text: it holds a lone surrogate/],
    ['a lone low surrogate at the end', '["ok","\\udc00"]', /1: is not text/],
    ['a lone surrogate in a key', '{"labels":{"\\ud83d":"x"}}', /labels: has a key that is not text/],
  ])('refuses %s, naming where', (_name, text, message) => {
    // Act
    const parsing = () => parseJson(text);

    // Assess
    expect(parsing).toThrow(JsonShapeError);
    expect(parsing).toThrow(message);
  });

  it('leaves keys that only look like Object.prototype members alone: lookups by name are own-property checks', () => {
    // Act
    const value = parseJson('{"constructor":"x","toString":"y"}') as Record<string, string>;

    // Assess
    expect(value).toEqual({ constructor: 'x', toString: 'y' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads an escaped surrogate pair as the one character it is', () => {
    // Act
    const value = parseJson('{"title":"\\ud83d\\udd25 FIRING"}');

    // Assess
    expect(value).toEqual({ title: '🔥 FIRING' });
  });

  it('throws SyntaxError for text that is not JSON', () => {
    expect(() => parseJson('{nope')).toThrow(SyntaxError);
  });
});
