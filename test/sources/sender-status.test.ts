import { senderStatusOf } from '../../lambda/sources/sender-status';

describe('senderStatusOf', () => {
  it.each([
    ['SUPERSEDED', 'skipped'],
    ['UNSTABLE', 'failure'],
    ['canceled', 'cancelled'],
    ['ALARM', 'firing'],
    ['stale', 'neutral'],
  ] as const)('keeps %s, which the status %s does not say, as sent', (word, status) => {
    // Act
    const kept = senderStatusOf(word, status);

    // Assess
    expect(kept).toBe(word);
  });

  it.each([
    ['success', 'success'],
    ['SUCCEEDED', 'success'],
    ['FAILED', 'failure'],
    ['timed_out', 'timed_out'],
    ['TIMED_OUT', 'timed_out'],
    ['INSUFFICIENT_DATA', 'insufficient_data'],
    ['Action-Required', 'action_required'],
  ] as const)('leaves out %s, the status %s in other letters', (word, status) => {
    // Act
    const kept = senderStatusOf(word, status);

    // Assess
    expect(kept).toBeUndefined();
  });

  it('leaves out a missing or blank word, and cuts a long one', () => {
    // Act
    const missing = [senderStatusOf(undefined, 'neutral'), senderStatusOf(null, 'neutral'), senderStatusOf('  ', 'neutral')];
    const long = senderStatusOf(`  ${'x'.repeat(100)} `, 'neutral');

    // Assess
    expect(missing).toEqual([undefined, undefined, undefined]);
    expect(long).toBe(`${'x'.repeat(40)}…`);
  });
});
