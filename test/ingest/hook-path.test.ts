import { parseHookPath } from '../../lambda/ingest/hook-path';

describe('parseHookPath', () => {
  it.each([
    ['/hooks', {}],
    ['/hooks/', {}],
    ['/hooks/github', { source: 'github' }],
    ['/hooks/github/', { source: 'github' }],
    ['/hooks/github/builds', { source: 'github', channel: 'builds' }],
  ])('reads %s', (path, expected) => {
    expect(parseHookPath(path)).toEqual(expected);
  });

  it.each(['/', '/hook', '/hooksx', '/hooks//', '/hooks/a/b/c', '/hooks/bad name'])('refuses %s', (path) => {
    expect(parseHookPath(path)).toBeUndefined();
  });
});
