import * as v from 'valibot';
import { dispatchEvent } from '../../lambda/sources/dispatch';
import { unwrap } from '../../lambda/envelopes';
import { CloudWatchSchema, cloudwatch } from '../../lambda/sources/cloudwatch';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { readable, say } from '../support/events';
import { fixtureJson, fixtureNames } from '../support/fixtures';

const FOLDER = 'aws_cloudwatch';
/** Fixtures that hold an alarm: every one but the plain-text notification and the subscription confirmations. */
const ALARM_FIXTURES = fixtureNames(FOLDER).filter((name) => !/plain|subscription_confirmation/.test(name));
/** The alarm a fixture carries, with any SNS envelope taken off as deliver does. */
const alarmIn = (name: string) => {
  const [alarm, ...rest] = unwrap(fixtureJson(FOLDER, name));
  expect(rest).toEqual([]);
  return alarm as any;
};
const singleMetric = () => fixtureJson(FOLDER, 'eventbridge_alarm_state_change_single_metric_aws_docs.json');
const headline = (html: string) => readable(html).split('\n')[0];

describe('cloudwatch source', () => {
  it.each(ALARM_FIXTURES)('recognises and parses %s', (name) => {
    // Prepare
    const alarm = alarmIn(name);

    // Act
    const parsed = v.safeParse(CloudWatchSchema, alarm);

    // Assess
    expect(cloudwatch.event!.matches(alarm)).toBe(true);
    expect(parsed.success).toBe(true);
  });

  it('says an EventBridge alarm state change: reason, metric, threshold, datapoint, change, account and a console link', () => {
    // Prepare
    const event = singleMetric();

    // Act
    const said = say(event);

    // Assess
    expect(said.source).toBe('cloudwatch');
    const text = readable(said.html[0]!);
    expect(headline(said.html[0]!)).toBe('🔥 FIRING (ALARM) · ServerCpuTooHigh');
    expect(said.messages[0]!.summary).toBe(
      'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) ' +
        '(minimum 1 datapoint for OK -> ALARM transition).',
    );
    expect(text).toContain('Description: Goes into alarm when server CPU utilization is too high!');
    expect(text).toContain('Metric: AWS/EC2 CPUUtilization · Average · 5 min');
    expect(text).toContain('Dimensions: InstanceId=i-12345678901234567');
    expect(text).toContain('Threshold: 50');
    expect(text).toContain('Datapoints: 99.5016');
    expect(text).toContain('Changed: OK → ALARM at 2019-10-02 17:04 UTC');
    expect(text).toContain('Account: 123456789012 · us-east-1');
    expect(said.messages[0]!.links).toEqual([
      { label: 'Alarm', url: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh' },
    ]);
    expect(said.messages[0]!.groupKey).toBe('cloudwatch:arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh');
  });

  it.each([
    ['OK', '✅ RESOLVED (OK)', 'resolved'],
    // CloudWatch's word is the status's own: not repeated.
    ['INSUFFICIENT_DATA', '❔ INSUFFICIENT DATA', 'insufficient_data'],
  ])('gives %s its own look (%s), under the same group as the firing message', (state, look, status) => {
    // Prepare
    const event = singleMetric();
    event.detail.previousState = event.detail.state;
    event.detail.state = { ...event.detail.state, value: state, timestamp: '2019-10-02T17:30:00.000+0000' };
    const firing = say(singleMetric());

    // Act
    const said = say(event);

    // Assess
    expect(headline(said.html[0]!)).toBe(`${look} · ServerCpuTooHigh`);
    expect(said.messages[0]!.status).toBe(status);
    expect(readable(said.html[0]!)).toContain(`Changed: ALARM → ${state} at 2019-10-02 17:30 UTC`);
    expect(said.messages[0]!.groupKey).toBe(firing.messages[0]!.groupKey);
    expect(said.deliveryKey).not.toBe(firing.deliveryKey);
  });

  it('lists the metrics of a metric-math alarm', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'eventbridge_alarm_state_change_metric_math_aws_docs.json');

    // Act
    const said = say(event);

    // Assess
    const text = readable(said.html[0]!);
    expect(text).toContain(
      'Metrics: e1 = SUM(METRICS()) (Total Network Traffic)\nm1 = AWS/EC2 NetworkIn · Maximum · 5 min\nm2 = AWS/EC2 NetworkOut · Maximum · 5 min',
    );
    expect(text).toContain('Threshold: 10000');
    expect(text).toContain('Datapoints: 45628');
  });

  it('shows the band of an anomaly detection alarm', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'eventbridge_alarm_state_change_anomaly_aws_docs.json');

    // Act
    const said = say(event);

    // Assess
    const text = readable(said.html[0]!);
    expect(text).toContain('Threshold: band 0.0205994–0.300692');
    expect(text).toContain('ad1 = ANOMALY_DETECTION_BAND(m1, 0.8) (CPUUtilization (expected))');
  });

  it('says a composite alarm: its rule, the child that moved it (with its own state and link), suppressed actions', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'eventbridge_alarm_state_change_composite_aws_docs.json');

    // Act
    const said = say(event);

    // Assess
    const text = readable(said.html[0]!);
    expect(headline(said.html[0]!)).toBe('🔥 FIRING (ALARM) · ServiceAggregatedAlarm');
    expect(text).toContain('Rule: ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)');
    expect(text).toContain('Actions suppressed: Actions suppressed by WaitPeriod');
    expect(said.messages[0]!.items).toEqual([
      {
        status: 'firing',
        senderStatus: 'ALARM',
        title: 'ServerCpuTooHigh',
        fields: [],
        links: [{ label: 'Alarm', url: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh' }],
      },
    ]);
    expect(said.html[0]).toContain('🔥 <b>ServerCpuTooHigh</b> <i>firing (ALARM)</i>');
  });

  it('says the alarm an SNS topic delivered over HTTPS, comparison and evaluation included', () => {
    // Prepare
    const alarm = alarmIn('sns_https_notification_alarm_capture.json');

    // Act
    const said = say(alarm);

    // Assess
    const text = readable(said.html[0]!);
    expect(headline(said.html[0]!)).toBe('🔥 FIRING (ALARM) · api-1 - Network In');
    expect(said.messages[0]!.summary).toBe('Threshold Crossed: 1 datapoint (2024818.75) was greater than or equal to the threshold (2000000.0).');
    expect(text).toContain('Metric: AWS/EC2 NetworkIn · Average · 5 min');
    expect(text).toContain('Dimensions: InstanceId=i-bc8dcaa5');
    expect(text).toContain('Threshold: ≥ 2000000 (1 of 1 datapoints)');
    expect(text).toContain('Changed: OK → ALARM at 2015-12-04 07:22 UTC');
    // This 2015 message has no alarm ARN: the region is only a display name, so no console link is guessed.
    expect(text).toContain('Account: 863886017929 · APAC - Tokyo');
    expect(said.messages[0]!.links).toEqual([]);
    expect(said.messages[0]!.groupKey).toBe('cloudwatch:863886017929:api-1 - Network In');
  });

  it('says the SNS alarm messages that reach Lambda, single metric and metric math', () => {
    // Prepare
    const single = alarmIn('lambda_sns_record_alarm_single_metric.json');
    const math = alarmIn('lambda_sns_record_alarm_metric_math.json');

    // Act
    const said = [say(single), say(math)];

    // Assess
    expect(readable(said[0]!.html[0]!)).toContain('Metric: AWS/EC2 NetworkOut · Average · 1 min');
    expect(readable(said[1]!.html[0]!)).toContain('Metrics: e1 = m1*1 (Expression1)\nm1 = AWS/EC2 NetworkOut · Average · 1 min');
    for (const s of said) {
      expect(headline(s.html[0]!)).toBe('🔥 FIRING (ALARM) · EXAMPLE');
      expect(readable(s.html[0]!)).toContain('Threshold: > 0 (1 of 1 datapoints)');
    }
  });

  it('reads a composite alarm’s children from an SNS message, as objects or as bare ARNs', () => {
    // Prepare: the SNS shape of a composite alarm, as CloudWatch publishes it (children as objects) and as documented (ARNs).
    const base = {
      AlarmName: 'Checkout',
      AWSAccountId: '123456789012',
      NewStateValue: 'ALARM',
      NewStateReason: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Errors transitioned to ALARM',
      StateChangeTime: '2021-11-10T02:45:55.640+0000',
      Region: 'EU (Ireland)',
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Checkout',
      OldStateValue: 'OK',
      AlarmRule: 'ALARM(Errors) OR ALARM(Latency)',
    };
    const objects = { ...base, TriggeringChildren: [{ Arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Errors', State: { Value: 'ALARM' } }] };
    const arns = { ...base, TriggeringChildren: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Errors'] };

    // Act
    const said = [say(objects), say(arns)];

    // Assess
    expect(said[0]!.messages[0]!.items.map((item) => [item.status, item.title])).toEqual([['firing', 'Errors']]);
    expect(said[1]!.messages[0]!.items.map((item) => [item.status, item.title])).toEqual([['info', 'Errors']]);
    expect(readable(said[0]!.html[0]!)).toContain('Account: 123456789012 · eu-west-1');
    expect(said[0]!.messages[0]!.links[0]!.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/Checkout',
    );
  });

  it('says the alarm-action-to-Lambda events (alarmData), metric math and composite', () => {
    // Prepare
    const math = fixtureJson(FOLDER, 'lambda_alarm_action_metric_math.json');
    const composite = fixtureJson(FOLDER, 'lambda_alarm_action_composite.json');

    // Act
    const said = [say(math), say(composite)];

    // Assess
    expect(headline(said[0]!.html[0]!)).toBe('🔥 FIRING (ALARM) · Test alert');
    expect(readable(said[0]!.html[0]!)).toContain('Account: 123456789012 · eu-west-1');
    expect(said[0]!.messages[0]!.links[0]!.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/Test%20alert',
    );
    expect(headline(said[1]!.html[0]!)).toBe('🔥 FIRING (ALARM) · CompositeDemo.Main');
    expect(said[1]!.messages[0]!.items.map((item) => item.title)).toEqual(['CompositeDemo.FirstChild']);
  });

  it('acknowledges an alarm configuration change without a message', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'eventbridge_alarm_configuration_change_update_aws_docs.json');

    // Act
    const said = say(event);

    // Assess
    expect(said.source).toBe('cloudwatch');
    expect(said.messages).toEqual([]);
  });

  it('keys a state change by the alarm and the moment it changed, so the same change is posted once whichever road it took', () => {
    // Prepare: the change of the EventBridge fixture, as the SNS alarm message of the same alarm says it.
    const event = singleMetric();
    const sns = {
      AlarmName: 'ServerCpuTooHigh',
      AWSAccountId: '123456789012',
      NewStateValue: 'ALARM',
      NewStateReason: event.detail.state.reason,
      StateChangeTime: '2019-10-02T17:04:40.989+0000',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
      OldStateValue: 'OK',
    };

    // Act
    const keys = [say(event).deliveryKey, say({ ...event, id: 'redelivered-with-another-id' }).deliveryKey, say(sns).deliveryKey];

    // Assess
    expect(keys[0]).toMatch(/^cloudwatch:[0-9a-f]{40}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('still says the alarm when its reasonData is unreadable', () => {
    // Prepare
    const event = singleMetric();
    event.detail.state.reasonData = '{not json';

    // Act
    const said = say(event);

    // Assess
    const text = readable(said.html[0]!);
    expect(headline(said.html[0]!)).toBe('🔥 FIRING (ALARM) · ServerCpuTooHigh');
    expect(text).not.toContain('Threshold:');
    expect(text).not.toContain('Datapoints:');
  });

  it('rejects a state change to an unknown state, naming the field', () => {
    // Prepare
    const event = singleMetric();
    event.detail.state.value = 'ON_FIRE';

    // Act
    const dispatched = dispatchEvent(event, resolveSourceSettings({}));

    // Assess
    expect(dispatched).toMatchObject({ ok: false, reason: expect.stringContaining('invalid cloudwatch event: detail.state.value') });
  });

  it('rejects an SNS alarm message without its state change time, naming the field', () => {
    // Prepare
    const { StateChangeTime: _dropped, ...alarm } = alarmIn('sns_https_notification_alarm_capture.json');

    // Act
    const dispatched = dispatchEvent(alarm, resolveSourceSettings({}));

    // Assess
    expect(dispatched).toMatchObject({ ok: false, reason: expect.stringContaining('invalid cloudwatch event: StateChangeTime') });
  });
});
