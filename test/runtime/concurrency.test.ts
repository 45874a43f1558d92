import { mapLimit } from '../../lambda/runtime/concurrency';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it('keeps the input order with at most `limit` tasks in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;

    // Act
    const results = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, index) => {
      most = Math.max(most, ++inFlight);
      await later(ms);
      inFlight -= 1;
      return index * 10;
    });

    // Assess
    expect(results).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
  });

  it('starts nothing after a failure, and throws it only once the tasks under way have ended', async () => {
    // Prepare: task 0 fails at once while task 1 is still running; tasks 2 and 3 wait their turn.
    const started: number[] = [];
    const ended: number[] = [];

    // Act
    const outcome = mapLimit([0, 1, 2, 3], 2, async (n) => {
      started.push(n);
      if (n === 0) throw new Error('write refused');
      await later(20);
      ended.push(n);
    });

    // Assess
    await expect(outcome).rejects.toThrow('write refused');
    expect(started).toEqual([0, 1]);
    expect(ended).toEqual([1]);
  });
});
