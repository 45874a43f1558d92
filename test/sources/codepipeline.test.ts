import * as v from 'valibot';
import { ConfigError } from '../../lambda/runtime/errors';
import { dispatchEvent } from '../../lambda/sources/dispatch';
import { CodePipelineSchema, codepipeline } from '../../lambda/sources/codepipeline';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { readable, say } from '../support/events';
import { fixtureJson, fixtureNames } from '../support/fixtures';

const FOLDER = 'aws_codepipeline';
const succeeded = () => fixtureJson(FOLDER, 'pipeline_execution_state_change_succeeded.json');
/** The succeeded fixture in another state, as CodePipeline sends it for the other outcomes. */
const inState = (state: string) => {
  const event = succeeded();
  event.detail.state = state;
  return event;
};
const headline = (html: string) => readable(html).split('\n')[0];
const EVERYTHING = {
  codepipeline: { levels: ['pipeline', 'stage', 'action'], states: ['STARTED', 'SUCCEEDED', 'FAILED'] },
};

describe('codepipeline source', () => {
  it.each(fixtureNames(FOLDER))('recognises and parses %s', (name) => {
    // Prepare
    const event = fixtureJson(FOLDER, name);

    // Act
    const parsed = v.safeParse(CodePipelineSchema, event);

    // Assess
    expect(codepipeline.event!.matches(event)).toBe(true);
    expect(parsed.success).toBe(true);
  });

  it('says a succeeded execution with links to its timeline and to the pipeline', () => {
    // Prepare
    const event = succeeded();

    // Act
    const said = say(event);

    // Assess
    expect(said.source).toBe('codepipeline');
    expect(headline(said.html[0]!)).toBe('✔️ SUCCEEDED · myPipeline');
    expect(readable(said.html[0]!)).toContain('Account: 123456789012 · us-east-1');
    expect(said.messages[0]!.links).toEqual([
      {
        label: 'Execution 12345678',
        url:
          'https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/myPipeline/executions/' +
          '12345678-1234-5678-abcd-12345678abcd/timeline?region=us-east-1',
      },
      { label: 'Pipeline', url: 'https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/myPipeline/view?region=us-east-1' },
    ]);
    expect(said.messages[0]!.groupKey).toBe('codepipeline:123456789012:us-east-1:myPipeline:12345678-1234-5678-abcd-12345678abcd');
  });

  it('names an execution by its first eight characters, never half of one', () => {
    // Prepare: characters past U+FFFF take two UTF-16 units each.
    const event = succeeded();
    event.detail['execution-id'] = '🔥'.repeat(10);

    // Act
    const said = say(event);

    // Assess
    expect(said.messages[0]!.links[0]!.label).toBe(`Execution ${'🔥'.repeat(8)}`);
  });

  it('says a failed execution, in the region it ran in', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'pipeline_execution_state_change_failed.json');

    // Act
    const said = say(event);

    // Assess
    expect(headline(said.html[0]!)).toBe('❌ FAILED · myPipeline');
    expect(said.messages[0]!.links[0]!.url).toContain('https://us-west-2.console.aws.amazon.com/');
  });

  it.each([
    ['STOPPED', '⚪ CANCELLED (STOPPED)', undefined],
    ['CANCELED', '⚪ CANCELLED (CANCELED)', 'Canceled because the pipeline structure was updated.'],
    ['SUPERSEDED', '⏭️ SKIPPED (SUPERSEDED)', 'A newer execution overtook this one; its result is the one that counts.'],
  ])('shows a %s execution as %s, CodePipeline\'s word next to the status', (state, look, summary) => {
    // Prepare
    const event = inState(state);

    // Act
    const said = say(event);

    // Assess
    expect(headline(said.html[0]!)).toBe(`${look} · myPipeline`);
    expect(said.messages[0]!.senderStatus).toBe(state);
    expect(said.messages[0]!.summary).toBe(summary);
  });

  it('says who started an execution when CodePipeline names them', () => {
    // Prepare
    const event = succeeded();
    event.detail['execution-trigger'] = {
      'trigger-type': 'StartPipelineExecution',
      'trigger-detail': 'arn:aws:sts::123456789012:assumed-role/Admin/my-user',
    };
    event.detail['pipeline-execution-attempt'] = 2;

    // Act
    const said = say(event);

    // Assess
    const text = readable(said.html[0]!);
    expect(text).toContain('Trigger: StartPipelineExecution by Admin/my-user');
    expect(text).toContain('Attempt: 2');
  });

  it('reads the CodeStar notification form (detailType, no id) like the EventBridge event', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'codestar_notification_processed_succeeded.json');

    // Act
    const said = say(event);
    const again = say(fixtureJson(FOLDER, 'codestar_notification_processed_succeeded.json'));

    // Assess
    expect(headline(said.html[0]!)).toBe('✔️ SUCCEEDED · myPipeline');
    expect(said.deliveryKey).toMatch(/^codepipeline:[0-9a-f]{40}$/);
    expect(again.deliveryKey).toBe(said.deliveryKey);
    expect(say({ ...event, time: '2021-06-30T22:20:00Z' }).deliveryKey).not.toBe(said.deliveryKey);
  });

  it.each(['pipeline_execution_state_change_started.json', 'stage_execution_state_change.json', 'action_execution_state_change.json'])(
    'acknowledges %s without a message by default',
    (name) => {
      // Prepare
      const event = fixtureJson(FOLDER, name);

      // Act
      const said = say(event);

      // Assess
      expect(said.source).toBe('codepipeline');
      expect(said.messages).toEqual([]);
    },
  );

  it('says stages and actions, and started executions, when the team asks for them', () => {
    // Prepare
    const started = fixtureJson(FOLDER, 'pipeline_execution_state_change_started.json');
    const stage = fixtureJson(FOLDER, 'stage_execution_state_change.json');
    const action = fixtureJson(FOLDER, 'action_execution_state_change.json');

    // Act
    const said = [started, stage, action].map((event) => say(event, EVERYTHING));

    // Assess
    expect(said.map((s) => headline(s.html[0]!))).toEqual([
      '▶️ STARTED · myPipeline',
      // This fixture's stage change names no stage.
      '▶️ STARTED · myPipeline › stage',
      '▶️ STARTED · myPipeline › Prod › myAction',
    ]);
    expect(readable(said[2]!.html[0]!)).toContain('Action: Deploy · CodeDeploy');
    expect(said[2]!.messages[0]!.groupKey).toBe(
      'codepipeline:123456789012:us-east-1:myPipeline:Prod:myAction:01234567-0123-0123-0123-012345678901',
    );
  });

  it('says why an action failed, with a link to its details', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'action_execution_state_change.json');
    event.detail.state = 'FAILED';
    event.detail['execution-result'] = {
      'external-execution-url': 'https://console.aws.amazon.com/codedeploy/home?region=us-west-2#/deployments/d-1',
      'external-execution-summary': 'Deployment d-1 failed',
      'error-code': 'JobFailed',
    };

    // Act
    const said = say(event, EVERYTHING);

    // Assess
    expect(headline(said.html[0]!)).toBe('❌ FAILED · myPipeline › Prod › myAction');
    expect(said.messages[0]!.summary).toBe('JobFailed: Deployment d-1 failed');
    expect(said.messages[0]!.links.map((link) => link.label)).toEqual(['Execution 01234567', 'Pipeline', 'Details']);
  });

  it('acknowledges a state it does not know yet, instead of refusing the event', () => {
    // Prepare
    const event = inState('PAUSED');

    // Act
    const said = say(event);

    // Assess
    expect(said.messages).toEqual([]);
  });

  it('rejects an execution state change without its execution id, naming the field', () => {
    // Prepare
    const event = succeeded();
    delete event.detail['execution-id'];

    // Act
    const dispatched = dispatchEvent(event, resolveSourceSettings({}));

    // Assess
    expect(dispatched).toMatchObject({ ok: false, reason: expect.stringContaining('invalid codepipeline event: detail.execution-id') });
  });

  it('refuses unknown levels in the settings at start-up', () => {
    // Act
    const resolving = () => resolveSourceSettings({ codepipeline: { levels: ['pipeline', 'job'] } });

    // Assess
    expect(resolving).toThrow(ConfigError);
    expect(resolving).toThrow(/levels\.1: must be one of pipeline, stage, action/);
  });
});
