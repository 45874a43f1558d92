import * as v from 'valibot';
import { chatMessage } from '../../lambda/model/message';
import { renderMessage } from '../../lambda/render/body-text';
import { compileMentions, MAX_MENTIONS, MentionsSchema } from '../../lambda/render/mentions';
import { inWords, problemsOf } from '../../lambda/runtime/validate';

const MENTIONS = {
  targets: {
    oncall: { id: '5f0c0a1b2c3d4e5f60718293', name: 'Payments on-call', type: 'group' },
    dana: { id: '5f0c0a1b2c3d4e5f60718294', name: 'Dana' },
  },
  committers: { octocat: 'dana' },
  rules: [
    { match: { severity: 'critical', status: 'firing' }, mention: ['oncall'] },
    { match: { status: 'failure' }, mentionCommitter: true },
    { match: { labels: { team: 'payments' }, status: 'firing' }, mention: ['oncall', 'dana'] },
  ],
};
const pick = compileMentions(v.parse(MentionsSchema, MENTIONS));
const names = (message: Parameters<typeof pick>[0]) => pick(message).map((target) => target.name);

describe('compileMentions', () => {
  it('calls on the targets of every matching rule, each once, in rule order', () => {
    // Prepare
    const critical = chatMessage({ source: 'alertmanager', status: 'firing', title: 'a', severity: 'critical', facts: { labels: { team: 'payments' } } });
    const resolved = { ...critical, status: 'resolved' as const };

    // Act + Assess
    expect(names(critical)).toEqual(['Payments on-call', 'Dana']);
    expect(pick(critical)[0]).toEqual({ id: '5f0c0a1b2c3d4e5f60718293', name: 'Payments on-call', type: 'group' });
    expect(names(resolved)).toEqual([]);
  });

  it('mentions a committer only through the team’s map', () => {
    // Prepare
    const build = (committer: string) => chatMessage({ source: 'github', status: 'failure', title: 'ci', facts: { committer } });

    // Act + Assess: a mapped login; an unknown one, and ones that name what every object has, call on nobody.
    expect(pick(build('octocat'))).toEqual([{ id: '5f0c0a1b2c3d4e5f60718294', name: 'Dana', type: 'user' }]);
    expect(names(build('mallory'))).toEqual([]);
    expect(names(build('constructor'))).toEqual([]);
    expect(names(build('__proto__'))).toEqual([]);
    expect(names({ ...build('octocat'), status: 'success' })).toEqual([]);
  });

  it(`calls on at most ${MAX_MENTIONS} targets`, () => {
    // Prepare
    const targets = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, { id: `id-${i}`, name: `T${i}` }]));
    const many = compileMentions(v.parse(MentionsSchema, { targets, rules: [{ match: {}, mention: Object.keys(targets) }] }));

    // Act
    const picked = many(chatMessage({ source: 'generic', status: 'info', title: 'x' }));

    // Assess
    expect(picked.map((t) => t.name)).toEqual(Array.from({ length: MAX_MENTIONS }, (_, i) => `T${i}`));
  });

  it('calls on nobody without mentions', () => {
    expect(compileMentions(undefined)(chatMessage({ source: 'generic', status: 'failure', title: 'x' }))).toEqual([]);
  });
});

describe('MentionsSchema', () => {
  const problems = (input: unknown) => {
    const result = v.safeParse(MentionsSchema, input, { message: inWords });
    return result.success ? [] : problemsOf(result.issues).map(({ field, problem }) => `${field}: ${problem}`);
  };

  it('names each bad field', () => {
    expect(problems({ ...MENTIONS, rules: [{ match: {}, mention: ['oncall', 'bob'] }] })).toEqual([
      'rules.0.mention.1: "bob" is not one of the targets (oncall, dana)',
    ]);
    expect(problems({ ...MENTIONS, committers: { octocat: 'carol' } })).toEqual(['committers.octocat: "carol" is not one of the targets (oncall, dana)']);
    expect(problems({ ...MENTIONS, rules: [{ match: { sevrity: 'critical' }, mention: ['dana'] }] })).toEqual([
      expect.stringMatching(/^rules\.0\.match\.sevrity: is not a known field/),
    ]);
    expect(problems({ ...MENTIONS, rules: [{ match: {} }] })).toEqual(['rules.0: needs "mention" or "mentionCommitter": true']);
    expect(problems({ targets: { x: { id: 'a"b', name: 'X' } }, rules: [] })).toEqual([
      'targets.x.id: must be a Spaces id: letters, digits, _ . : @ - (at most 128)',
    ]);
    expect(problems({ targets: { x: { id: 'a', name: 'X', type: 'team' } }, rules: [] })).toEqual(['targets.x.type: must be "user" or "group"']);
  });
});

describe('mentions in the rendered message', () => {
  it('are Spaces mention tags at the top of the first part only, their attributes escaped', () => {
    // Prepare: a long group (several parts), and a target whose name needs escaping.
    const items = Array.from({ length: 60 }, (_, i) => ({ status: 'firing' as const, title: `alert ${i}`, summary: 'x'.repeat(500), fields: [], links: [] }));
    const message = chatMessage({ source: 'alertmanager', status: 'firing', title: 'Storm', items });
    const target = { id: '5f0c0a1b2c3d4e5f60718293', name: 'R&D "core" <team>', type: 'group' as const };

    // Act
    const parts = renderMessage(message, { mentions: [target] });

    // Assess
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]).toMatch(
      /^<p><mention id="5f0c0a1b2c3d4e5f60718293" type="group" value="R&amp;D &quot;core&quot; &lt;team&gt;">@R&amp;D &quot;core&quot; &lt;team&gt;<\/mention><\/p><p><b>🔥 FIRING/,
    );
    expect(parts.slice(1).join('')).not.toContain('<mention');
    expect(parts.every((part) => Buffer.byteLength(JSON.stringify(part)) <= 15_000)).toBe(true);
  });
});
