/** Posting a part at most once when answers get lost, decided by looking among the space's messages. */
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { DeliveryJournal, fingerprint, type Progress } from '../../lambda/deliver/journal';
import { postPart, settlePending, type ProgressByKey } from '../../lambda/deliver/post-once';
import { MemoryStateStore } from '../../lambda/deliver/state-store';
import type { ChatContent, ListedMessage } from '../../lambda/spaces/client';
import { SpacesError } from '../../lambda/spaces/errors';

/** A space whose posts are scripted: each call stores or not, answers or not. */
function scriptedSpace(script: ('ok' | 'stored-no-answer' | 'lost' | 'refused')[]) {
  const stored: ListedMessage[] = [];
  let posts = 0;
  const spaces = {
    postChat: async (_space: string, content: ChatContent): Promise<string> => {
      const step = script[posts++] ?? 'ok';
      const id = `m${posts}`;
      if (step === 'ok' || step === 'stored-no-answer') stored.push({ id, bodyText: content.bodyText, created: Date.now() });
      if (step === 'ok') return id;
      if (step === 'refused') throw new SpacesError('post', 'HTTP 500', { status: 500, retryable: true });
      throw new SpacesError('post', 'network error (socket hang up)', { retryable: true, ambiguous: true });
    },
    recentMessages: async (): Promise<ListedMessage[]> => [...stored].reverse(),
  };
  return { spaces, stored, posts: () => posts };
}

function setup(script: Parameters<typeof scriptedSpace>[0]) {
  const space = scriptedSpace(script);
  const journal = new DeliveryJournal(new MemoryStateStore(), STATE_TTL_SECONDS);
  const progress: ProgressByKey = new Map([['key-1', { parts: {} } as Progress]]);
  return { ...space, journal, progress, deps: { spaces: space.spaces, journal, settleMs: 1 } };
}

describe('postPart', () => {
  it('takes the stored message when the answer to the post was lost, without posting again', async () => {
    // Prepare
    const { deps, progress, stored, posts, journal } = setup(['stored-no-answer']);

    // Act
    const id = await postPart('space', { bodyText: '<p>disk full</p>' }, progress, 0, deps);

    // Assess
    expect(id).toBe('m1');
    expect(posts()).toBe(1);
    expect(stored).toHaveLength(1);
    expect((await journal.read('key-1')).parts[0]).toEqual({ messageId: 'm1' });
  });

  it('posts again when the lost post is not in the space', async () => {
    // Prepare
    const { deps, progress, stored } = setup(['lost', 'ok']);

    // Act
    const id = await postPart('space', { bodyText: '<p>disk full</p>' }, progress, 0, deps);

    // Assess
    expect(id).toBe('m2');
    expect(stored.map((m) => m.id)).toEqual(['m2']);
  });

  it('gives up after a few unanswered posts, leaving the part pending for the next attempt to settle', async () => {
    // Prepare
    const { deps, progress, journal } = setup(['lost', 'lost', 'lost']);

    // Act
    const attempt = postPart('space', { bodyText: '<p>disk full</p>' }, progress, 0, { ...deps, ambiguousAttempts: 3 });

    // Assess
    await expect(attempt).rejects.toMatchObject({ ambiguous: true });
    expect((await journal.read('key-1')).parts[0]).toMatchObject({ fingerprint: fingerprint('<p>disk full</p>') });
  });

  it('clears the pending mark when the server refused the post, so no later attempt has to look for it', async () => {
    // Prepare
    const { deps, progress, journal } = setup(['refused']);

    // Act
    const attempt = postPart('space', { bodyText: '<p>x</p>' }, progress, 0, deps);

    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 500 });
    expect((await journal.read('key-1')).parts[0]).toBeUndefined();
  });
});

describe('settlePending', () => {
  it('finds the post an earlier attempt left unanswered, even if Spaces re-serialised its HTML', async () => {
    // Prepare: an attempt died after sending; Spaces stored the body with other entity spelling and spacing.
    const { deps, progress, stored } = setup([]);
    progress.get('key-1')!.parts[0] = { pendingSince: Date.now() - 1_000, fingerprint: fingerprint('<p><b>Disk</b> &#39;db-1&#39; full</p>') };
    stored.push({ id: 'found', bodyText: "<p><b>Disk</b>  'db-1' full</p>", created: Date.now() - 900 });

    // Act
    const settled = await settlePending('space', progress, 0, deps);

    // Assess
    expect(settled.get('key-1')).toBe('found');
    expect(progress.get('key-1')!.parts[0]).toEqual({ messageId: 'found' });
  });

  it('does not take an identical message that was posted before the attempt', async () => {
    // Prepare
    const { deps, progress, stored } = setup([]);
    progress.get('key-1')!.parts[0] = { pendingSince: Date.now(), fingerprint: fingerprint('<p>same words</p>') };
    stored.push({ id: 'older', bodyText: '<p>same words</p>', created: Date.now() - 60_000 });

    // Act
    const settled = await settlePending('space', progress, 0, deps);

    // Assess
    expect(settled.get('key-1')).toBeUndefined();
    expect(progress.get('key-1')!.parts[0]).toBeUndefined();
  });

  it('gives every member of an unanswered digest the one message that was stored', async () => {
    // Prepare
    const { deps, stored } = setup([]);
    const pending = { pendingSince: Date.now() - 10, fingerprint: fingerprint('<p>digest</p>') };
    const progress: ProgressByKey = new Map([
      ['a', { parts: { 0: pending } }],
      ['b', { parts: { 0: pending } }],
    ]);
    stored.push({ id: 'digest-1', bodyText: '<p>digest</p>', created: Date.now() });

    // Act
    const settled = await settlePending('space', progress, 0, deps);

    // Assess
    expect([...settled]).toEqual([
      ['a', 'digest-1'],
      ['b', 'digest-1'],
    ]);
  });
});
