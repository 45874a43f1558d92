import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { Counter } from '../lambda/runtime/metrics';

/** What the functions publish (Powertools metrics): their counters. */
export type RelayMetricName = Counter;

/**
 * The relay's own metrics, as the functions publish them: namespace `SpacesRelay`, dimension `service` (one per
 * team), and for counts with a reason the same datapoint once more with the `reason` dimension.
 */
export class RelayMetrics {
  /**
   * @param namespace the functions' `POWERTOOLS_METRICS_NAMESPACE`
   * @param service the functions' `POWERTOOLS_SERVICE_NAME`
   */
  constructor(
    readonly namespace: string,
    readonly service: string,
  ) {}

  /** The total of `name`, summed over each period (five minutes unless `options` say otherwise). */
  count(name: RelayMetricName, options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { service: this.service },
      statistic: 'Sum',
      ...options,
    });
  }

  /** The part of `name` counted with `reason`. */
  countFor(name: RelayMetricName, reason: string, options: MetricOptions = {}): Metric {
    return this.count(name, { ...options, dimensionsMap: { service: this.service, reason } });
  }

  /**
   * One line per reason of `name`: a search, so that a reason the code adds later shows up without a change here
   * (and reasons that never occurred draw nothing).
   */
  byReason(name: RelayMetricName, period = Duration.minutes(5)): MathExpression {
    const schema = `{${this.namespace},reason,service}`;
    return new MathExpression({
      expression: `SEARCH('${schema} MetricName="${name}" service="${this.service}"', 'Sum', ${period.toSeconds()})`,
      usingMetrics: {},
      // The search names each line after its reason.
      label: '',
      period,
    });
  }
}
