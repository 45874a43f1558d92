import * as v from 'valibot';
import { chatMessage, type ChatMessage } from '../../lambda/model/message';
import { toNotification } from '../../lambda/model/notification';
import { compileRoutes, routeNotifications, RoutesSchema, unknownChannels } from '../../lambda/routing/routes';
import { inWords, problemsOf } from '../../lambda/runtime/validate';

const queued = (message: ChatMessage, channel = 'default') =>
  toNotification(message, { id: 'id', deliveryKey: message.title, receivedAt: '2026-01-01T00:00:00Z', channel });

const routes = compileRoutes(
  v.parse(RoutesSchema, [
    { match: { source: 'codebuild' }, channel: 'ci' },
    { match: { status: 'success', branch: { regex: '^feature/' } }, drop: true },
    { match: { labels: { team: 'payments' } }, channel: 'payments' },
    { match: { source: 'codebuild', status: 'failure' }, channel: 'never-reached' },
  ]),
);

describe('routeNotifications', () => {
  it('lets the first matching rule decide: a channel, or a drop with the rule that dropped', () => {
    // Prepare
    const build = queued(chatMessage({ source: 'codebuild', status: 'failure', title: 'build' }));
    const feature = queued(chatMessage({ source: 'github', status: 'success', title: 'feature', facts: { branch: 'feature/x' } }));
    const payments = queued(chatMessage({ source: 'alertmanager', status: 'firing', title: 'alert', facts: { labels: { team: 'payments' } } }), 'oncall');
    const other = queued(chatMessage({ source: 'github', status: 'success', title: 'main', facts: { branch: 'main' } }), 'builds');

    // Act
    const { kept, dropped } = routeNotifications([build, feature, payments, other], routes);

    // Assess: the rule's channel wins over the hook's; no rule keeps the hook's channel; order is kept.
    expect(kept.map((n) => [n.deliveryKey, n.channel])).toEqual([
      ['build', 'ci'],
      ['alert', 'payments'],
      ['main', 'builds'],
    ]);
    expect(dropped).toEqual([{ notification: feature, rule: 1 }]);
  });

  it('leaves everything as it was without routes', () => {
    const one = queued(chatMessage({ source: 'github', status: 'success', title: 'x' }), 'builds');

    expect(routeNotifications([one], [])).toEqual({ kept: [one], dropped: [] });
  });
});

describe('RoutesSchema', () => {
  const problems = (input: unknown) => {
    const result = v.safeParse(RoutesSchema, input, { message: inWords });
    return result.success ? [] : problemsOf(result.issues).map(({ field, problem }) => `${field}: ${problem}`);
  };

  it('names the route and field of each problem', () => {
    expect(problems([{ match: {}, channel: 'ci' }, { match: { labels: { team: { regex: '(a+)+' } } }, drop: true }])).toEqual([
      expect.stringMatching(/^1\.match\.labels\.team: regex "\(a\+\)\+" repeats a group/),
    ]);
    expect(problems([{ match: {}, channel: 'ci', drop: true }])).toEqual(['0: needs either "channel" or "drop": true, not both']);
    expect(problems([{ match: {} }])).toEqual(['0: needs either "channel" or "drop": true, not both']);
    expect(problems([{ match: {}, drop: false }])).toEqual(['0.drop: must be true (leave it out to route)']);
    expect(problems([{ channel: 'ci' }])).toEqual(['0.match: required']);
    expect(problems([{ match: {}, channel: 'ci', when: 'always' }])).toEqual([
      '0.when: is not a known field (known fields: match, channel, drop)',
    ]);
  });

  it('finds routes to channels the team does not have', () => {
    const parsed = v.parse(RoutesSchema, [{ match: {}, channel: 'ci' }, { match: {}, drop: true }, { match: {}, channel: 'ops' }]);

    expect(unknownChannels(parsed, { default: 'a', ci: 'b' })).toEqual([2]);
  });
});
