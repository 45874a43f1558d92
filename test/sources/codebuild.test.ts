import * as v from 'valibot';
import { ConfigError } from '../../lambda/runtime/errors';
import { dispatchEvent } from '../../lambda/sources/dispatch';
import { CodeBuildSchema, codebuild } from '../../lambda/sources/codebuild';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { say, readable } from '../support/events';
import { fixtureJson, fixtureNames } from '../support/fixtures';

const FOLDER = 'aws_codebuild';
const succeeded = () => fixtureJson(FOLDER, 'build_state_change_succeeded.json');
const failed = () => fixtureJson(FOLDER, 'build_state_change_failed_functionci.json');
/** The succeeded fixture with another build status, as CodeBuild sends it for the other outcomes. */
const withStatus = (status: string) => {
  const event = succeeded();
  event.detail['build-status'] = status;
  return event;
};

describe('codebuild source', () => {
  it.each(fixtureNames(FOLDER))('recognises and parses %s', (name) => {
    // Prepare
    const event = fixtureJson(FOLDER, name);

    // Act
    const parsed = v.safeParse(CodeBuildSchema, event);

    // Assess
    expect(codebuild.event!.matches(event)).toBe(true);
    expect(parsed.success).toBe(true);
  });

  it('says a succeeded build: project and number, duration, who started it, source, version, and links', () => {
    // Prepare
    const event = succeeded();

    // Act
    const said = say(event);

    // Assess
    expect(said.source).toBe('codebuild');
    expect(said.messages).toHaveLength(1);
    const text = readable(said.html[0]!);
    expect(text.split('\n')[0]).toBe('✔️ SUCCEEDED · my-sample-project #55');
    expect(text).toContain('Duration: 1m 54s');
    expect(text).toContain('Initiator: MyCodeBuildDemoUser');
    expect(text).toContain('Source: codebuild-123456789012-input-bucket/my-input-artifact.zip');
    expect(text).toContain('Version: my-source-version');
    expect(text).toContain('Account: 123456789012 · us-west-2');
    expect(said.messages[0]!.links).toEqual([
      {
        label: 'Build #55',
        url:
          'https://us-west-2.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/my-sample-project/build/' +
          'my-sample-project%3A8745a7a9-c340-456a-9166-edf953571bEX/?region=us-west-2',
      },
      {
        label: 'Logs',
        url:
          'https://console.aws.amazon.com/cloudwatch/home?region=us-west-2#logEvent:group=/aws/codebuild/my-sample-project;' +
          'stream=8745a7a9-c340-456a-9166-edf953571bEX',
      },
    ]);
    expect(said.html[0]).toContain('>Build #55</a>');
    expect(said.messages[0]!.groupKey).toBe(`codebuild:${event.detail['build-id']}`);
  });

  it('says a failed build with the phase that failed and what CodeBuild said about it', () => {
    // Prepare
    const event = failed();

    // Act
    const said = say(event);

    // Assess
    const text = readable(said.html[0]!);
    expect(text.split('\n')[0]).toBe('❌ FAILED · functionci-thestackshack-serverless-demo-master-code-build');
    expect(said.messages[0]!.summary).toBe(
      'DOWNLOAD_SOURCE failed: YAML_FILE_ERROR: stat /codebuild/output/src424818173/src/buildspec.yml: no such file or directory',
    );
    expect(text).toContain('Duration: 1m 05s');
    expect(text).toContain('Initiator: codepipeline/functionci-thestackshack-serverless-demo-master-AppCodePipeline-ZAKCN4G5I28G');
    expect(said.messages[0]!.links.map((link) => link.label)).toEqual(['Build', 'Logs']);
  });

  it.each([
    ['STOPPED', '⚪ CANCELLED (STOPPED)'],
    // CodeBuild's word is the status's own: not repeated.
    ['TIMED_OUT', '⏱️ TIMED OUT'],
    ['FAULT', '❌ FAILED (FAULT)'],
  ])('shows a %s build as %s', (status, headline) => {
    // Prepare
    const event = withStatus(status);

    // Act
    const said = say(event);

    // Assess
    expect(readable(said.html[0]!).split('\n')[0]).toBe(`${headline} · my-sample-project #55`);
  });

  it('says which phase ran out of time, and the build’s time limit', () => {
    // Prepare
    const event = withStatus('TIMED_OUT');
    const build = event.detail['additional-information'].phases.find((p: { 'phase-type': string }) => p['phase-type'] === 'BUILD');
    build['phase-status'] = 'TIMED_OUT';

    // Act
    const said = say(event);

    // Assess
    expect(said.messages[0]!.summary).toBe('BUILD timed out (the limit is 60 min)');
  });

  it('marks a fault as CodeBuild’s own, even when no phase failed', () => {
    // Prepare
    const event = withStatus('FAULT');

    // Act
    const said = say(event);

    // Assess
    expect(said.messages[0]!.summary).toBe('CodeBuild reported a fault');
  });

  it('acknowledges a started build without a message, unless the team asks for started builds', () => {
    // Prepare
    const event = withStatus('IN_PROGRESS');

    // Act
    const quiet = say(event);
    const asked = say(event, { codebuild: { states: ['IN_PROGRESS', 'FAILED'] } });

    // Assess
    expect(quiet.messages).toEqual([]);
    expect(readable(asked.html[0]!).split('\n')[0]).toBe('▶️ STARTED (IN_PROGRESS) · my-sample-project #55');
  });

  it('posts only the states the team chose', () => {
    // Prepare
    const settings = { codebuild: { states: ['FAILED'] } };

    // Act
    const success = say(succeeded(), settings);
    const failure = say(failed(), settings);

    // Assess
    expect(success.messages).toEqual([]);
    expect(failure.messages).toHaveLength(1);
  });

  it('acknowledges phase changes without a message: the build state change names the failed phase', () => {
    // Prepare
    const event = fixtureJson(FOLDER, 'build_phase_change.json');

    // Act
    const said = say(event);

    // Assess
    expect(said.source).toBe('codebuild');
    expect(said.messages).toEqual([]);
  });

  it('keys a build state change by its EventBridge id, so a redelivery is posted once', () => {
    // Prepare
    const first = succeeded();
    const again = succeeded();
    const other = { ...succeeded(), id: 'another-event-id' };

    // Act
    const keys = [first, again, other].map((event) => say(event).deliveryKey);

    // Assess
    expect(keys[0]).toMatch(/^codebuild:[0-9a-f]{40}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('shortens a commit id and leaves out empty phase contexts', () => {
    // Prepare
    const event = failed();
    event.detail['additional-information']['source-version'] = '0123456789abcdef0123456789abcdef01234567';
    event.detail['additional-information'].phases[2]['phase-context'] = [': ', 'YAML_FILE_ERROR: bad buildspec'];

    // Act
    const said = say(event);

    // Assess
    expect(readable(said.html[0]!)).toContain('Version: 0123456789ab');
    expect(said.messages[0]!.summary).toBe('DOWNLOAD_SOURCE failed: YAML_FILE_ERROR: bad buildspec');
  });

  it('rejects a build state change without its project name, naming the field', () => {
    // Prepare
    const event = failed();
    delete event.detail['project-name'];

    // Act
    const dispatched = dispatchEvent(event, resolveSourceSettings({}));

    // Assess
    expect(dispatched).toMatchObject({ ok: false, reason: expect.stringContaining('invalid codebuild event: detail.project-name') });
  });

  it('refuses unknown states in the settings at start-up', () => {
    // Act
    const resolving = () => resolveSourceSettings({ codebuild: { states: ['SUCCEEDED', 'DONE'] } });
    const misspelt = () => resolveSourceSettings({ codebuild: { state: ['SUCCEEDED'] } });

    // Assess
    expect(resolving).toThrow(ConfigError);
    expect(resolving).toThrow(/SOURCE_SETTINGS\.codebuild\.states\.1: must be one of SUCCEEDED/);
    expect(misspelt).toThrow(ConfigError);
  });
});
