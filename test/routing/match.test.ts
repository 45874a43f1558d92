import * as v from 'valibot';
import { chatMessage, type ChatMessage } from '../../lambda/model/message';
import { compileMatch, MatchSchema, patternProblem } from '../../lambda/routing/match';
import { inWords, problemsOf } from '../../lambda/runtime/validate';

/** The problems of a match, each as `field: problem`. */
function problems(match: unknown): string[] {
  const result = v.safeParse(MatchSchema, match, { message: inWords });
  return result.success ? [] : problemsOf(result.issues).map(({ field, problem }) => `${field}: ${problem}`);
}

const matches = (match: unknown, message: ChatMessage): boolean => compileMatch(v.parse(MatchSchema, match))(message);

const alert = chatMessage({
  source: 'alertmanager',
  status: 'firing',
  severity: 'critical',
  title: 'HighLatency',
  facts: { labels: { team: 'payments', env: 'prod' }, annotations: { summary: 'p99 over 2 s' } },
});
const build = chatMessage({
  source: 'github',
  status: 'success',
  title: 'ci',
  facts: { repository: 'acme/shop', branch: 'feature/login', committer: 'octocat' },
});
const upload = chatMessage({ source: 's3', status: 'info', title: 'a.csv', facts: { bucket: 'acme-reports', key: 'daily/2026/a.csv' } });

describe('patternProblem', () => {
  it.each(['^feature/', 'pay(ments)?', '^(main|release/.+)$', '[a-z]+-\\d{2,4}', '(?:ab)+x'])('takes %s', (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['(', /not a valid regular expression/],
    ['(a+)+$', /repeats a group that itself repeats/],
    ['(a|aa)*b', /repeats a group that itself repeats or has alternatives/],
    ['(x{2,})*', /repeats a group/],
    ['(a)\\1', /back-reference/],
    ['a*b*c*d*', /4 unbounded repetitions/],
    ['x'.repeat(201), /201 characters long; at most 200/],
    ['', /must not be empty/],
  ])('refuses %s', (pattern, problem) => {
    expect(patternProblem(pattern)).toMatch(problem);
  });
});

describe('MatchSchema', () => {
  it('names each bad field and what to write', () => {
    expect(problems({ labels: { team: { regex: '(' } } })).toEqual([
      expect.stringMatching(/^labels\.team: regex "\(" is not a valid regular expression/),
    ]);
    expect(problems({ brnach: 'main' })).toEqual([expect.stringMatching(/^brnach: is not a known field \(known fields: source, status, /)]);
    expect(problems({ status: ['failure', 'failed'] })).toEqual([expect.stringMatching(/^status: "failed" is not a status \(statuses: firing, /)]);
    expect(problems({ source: 'codebuld' })).toEqual([expect.stringMatching(/^source: "codebuld" is not a source/)]);
    expect(problems({ source: { regex: 'code.*' } })).toEqual(['source: must be a string or a list of strings']);
    expect(problems({ branch: 3 })).toEqual(['branch: must be a string, a list of strings, or {"regex": "…"}']);
    expect(problems({ branch: { regex: 'a', flags: 'i' } })).toEqual(['branch: must be a string, a list of strings, or {"regex": "…"}']);
    expect(problems({ labels: {} })).toEqual(['labels: must name at least one label']);
    expect(problems({ branch: [] })).toEqual(['branch: must not be an empty list']);
  });

  it('takes comment keys and leaves them out', () => {
    expect(v.parse(MatchSchema, { '//': 'feature branches', branch: 'main' })).toEqual({ branch: 'main' });
  });
});

describe('compileMatch', () => {
  it('matches when every key given matches: exact, any of a list, or a regular expression', () => {
    expect(matches({ source: 'alertmanager', severity: 'critical', labels: { team: 'payments' } }, alert)).toBe(true);
    expect(matches({ status: ['firing', 'failure'], labels: { env: { regex: '^prod' } } }, alert)).toBe(true);
    expect(matches({ annotations: { summary: { regex: 'p99' } } }, alert)).toBe(true);
    expect(matches({ source: 'alertmanager', labels: { team: 'search' } }, alert)).toBe(false);
    expect(matches({ status: 'success', branch: { regex: '^feature/' }, repository: 'acme/shop' }, build)).toBe(true);
    expect(matches({ status: 'success', branch: 'main' }, build)).toBe(false);
    expect(matches({ bucket: 'acme-reports', prefix: ['weekly/', 'daily/'] }, upload)).toBe(true);
    expect(matches({ prefix: '2026/' }, upload)).toBe(false);
    expect(matches({ title: { regex: 'Latency$' } }, alert)).toBe(true);
    expect(matches({}, upload)).toBe(true);
  });

  it('never matches a value the message does not have', () => {
    expect(matches({ severity: { regex: '.*' } }, build)).toBe(false);
    expect(matches({ labels: { team: { regex: '' + '.?' } } }, build)).toBe(false);
    expect(matches({ branch: 'feature/login' }, alert)).toBe(false);
  });

  it('is exact by default: case and whole value count', () => {
    expect(matches({ severity: 'Critical' }, alert)).toBe(false);
    expect(matches({ labels: { team: 'pay' } }, alert)).toBe(false);
  });
});
