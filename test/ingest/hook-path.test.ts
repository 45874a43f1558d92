import { parseHookPath, shownPath } from '../../lambda/ingest/hook-path';

describe('parseHookPath', () => {
  it.each([
    ['/hooks', {}],
    ['/hooks/', {}],
    ['/hooks/github', { source: 'github' }],
    ['/hooks/github/', { source: 'github' }],
    ['/hooks/github/builds', { source: 'github', channel: 'builds' }],
    ['/hooks/slack/default/s3cr3t-V4lue_~.x', { source: 'slack', channel: 'default', secret: 's3cr3t-V4lue_~.x' }],
  ])('reads %s', (path, expected) => {
    expect(parseHookPath(path)).toEqual(expected);
  });

  it.each(['/', '/hook', '/hooksx', '/hooks//', '/hooks/a/b/c/d', '/hooks/a//c', '/hooks/bad name', '/hooks/a/b/c%2Fd'])('refuses %s', (path) => {
    expect(parseHookPath(path)).toBeUndefined();
  });
});

describe('shownPath', () => {
  it.each([
    ['/hooks/slack/default/s3cr3t', '/hooks/slack/default/[redacted]'],
    ['/hooks/slack/default/s3cr3t/extra', '/hooks/slack/default/[redacted]'],
    ['/hooks/slack/ops?token=s3cr3t', '/hooks/slack/ops'],
    ['/hooks/slack/ops', '/hooks/slack/ops'],
    ['/hook/slack/default/s3cr3t', '/hook/[redacted]'],
  ])('shows %s as %s, never a segment that may be the secret', (path, shown) => {
    expect(shownPath(path)).toBe(shown);
  });
});
