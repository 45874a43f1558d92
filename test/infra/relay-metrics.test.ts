import { Duration, Stack } from 'aws-cdk-lib';
import { RelayMetrics } from '../../infra/relay-metrics';

describe('RelayMetrics', () => {
  const metrics = new RelayMetrics('SpacesRelay', 'spaces-relay-t');
  const stack = new Stack();

  it('reads a counter as the functions publish it: in their namespace, by service, summed per five minutes', () => {
    // Act
    const stat = metrics.count('delivered').toMetricConfig().metricStat!;

    // Assess
    expect(stack.resolve({ ...stat, period: stat.period.toSeconds() })).toEqual({
      namespace: 'SpacesRelay',
      metricName: 'delivered',
      dimensions: [{ name: 'service', value: 'spaces-relay-t' }],
      statistic: 'Sum',
      period: 300,
    });
  });

  it('reads the part of a counter counted with one reason, with that dimension too', () => {
    // Act
    const stat = metrics.countFor('rejected', 'unauthorized', { period: Duration.minutes(15) }).toMetricConfig()
      .metricStat!;

    // Assess
    expect(stat.dimensions).toEqual(
      expect.arrayContaining([
        { name: 'service', value: 'spaces-relay-t' },
        { name: 'reason', value: 'unauthorized' },
      ]),
    );
    expect(stat.dimensions).toHaveLength(2);
    expect(stat.period.toSeconds()).toBe(900);
  });

  it('searches every reason of a counter, so that a new reason shows without a change', () => {
    // Act
    const expression = metrics.byReason('deadLettered').toMetricConfig().mathExpression!;

    // Assess
    expect(expression.expression).toBe(
      `SEARCH('{SpacesRelay,reason,service} MetricName="deadLettered" service="spaces-relay-t"', 'Sum', 300)`,
    );
    expect(expression.usingMetrics).toEqual({});
  });
});
