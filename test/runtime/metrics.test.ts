import { count, countTotals, metrics } from '../../lambda/runtime/metrics';

describe('count', () => {
  afterEach(() => metrics.clearMetrics());

  it('adds a counted reason to the total as well, so an alarm can watch the total', () => {
    // Prepare
    const before = countTotals();

    // Act
    count('rejected', 1, 'unauthorized');
    count('rejected', 2, 'bad_request');

    // Assess
    const after = countTotals();
    expect((after.rejected ?? 0) - (before.rejected ?? 0)).toBe(3);
    expect((after['rejected.unauthorized'] ?? 0) - (before['rejected.unauthorized'] ?? 0)).toBe(1);
    expect((after['rejected.bad_request'] ?? 0) - (before['rejected.bad_request'] ?? 0)).toBe(2);
  });

  it('leaves a metric to publish for every count, so no invocation flushes an empty set', () => {
    // Act
    count('deadLettered', 1, 'undeliverable');

    // Assess
    expect(metrics.hasStoredMetrics()).toBe(true);
  });
});
