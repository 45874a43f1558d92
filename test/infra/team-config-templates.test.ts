/** The team config's `templates`: refused at synth with the field, the line and the problem, before anything deploys. */
import { parseTeamConfig } from '../../infra/team-config';
import { problemsOf as configProblems } from './support/config-problems';
import { MINIMAL_CONFIG } from './support/relay';

/** The `field: problem` lines of the error a config with these templates draws. */
const problemsOf = (templates: unknown): string[] => configProblems({ ...MINIMAL_CONFIG, templates });

describe('team config templates', () => {
  it('are passed on without their comments, once they render against every sample', () => {
    // Prepare
    const templates = {
      '//': 'how our alerts read',
      alertmanager: {
        title: '{{ message.title }}{% if payload.commonLabels.cluster %} on {{ payload.commonLabels.cluster }}{% endif %}',
        fields: [{ name: 'Team', value: '{{ payload.commonLabels.team | default: "" }}' }, '*'],
        channels: { default: { '//': 'the main room', item: '{{ index }}: {{ item.title | bold }}' } },
      },
    };

    // Act
    const config = parseTeamConfig({ ...MINIMAL_CONFIG, templates }, 'teams/t.json');

    // Assess
    expect(config.templates).toEqual({
      alertmanager: { ...templates.alertmanager, channels: { default: { item: '{{ index }}: {{ item.title | bold }}' } } },
    });
  });

  it('that do not parse are named with their line and column', () => {
    expect(problemsOf({ github: { summary: 'fine\n  {% for x in message.fields %}' } })).toEqual([
      'templates.github.summary: line 2, column 3: tag {% for x in message.fields %} not closed',
    ]);
  });

  it('that read a field no payload of the source has are refused, naming the sample', () => {
    expect(problemsOf({ github: { title: '{{ payload.body.repository.nmae }}' } })).toEqual([
      'templates.github.title: line 1, column 4: undefined variable: payload.body.repository.nmae (rendering the github sample "workflow_run_completed_success_with_prs"); a value only some payloads have needs {% if %} or | default',
    ]);
  });

  it('are rendered against the samples for each channel of their own', () => {
    expect(problemsOf({ jenkins: { channels: { default: { link: '{{ link.url.host }}' } } } })).toEqual([
      expect.stringMatching(/^templates\.jenkins\.channels\.default\.link: line 1, column 4: undefined variable: link\.url\.host \(rendering the jenkins sample "finalized_success"\)/),
    ]);
  });

  it('name only the team’s channels and real sources and parts', () => {
    expect(problemsOf({ grafana: { channels: { oncall: { title: 'x' } } }, nagios: {}, github: { headline: 'x' } })).toEqual([
      'templates.nagios: is not a source (sources: alertmanager, grafana, github, gitlab, jenkins, circleci, sns, cloudwatch, codebuild, codepipeline, s3, slack, teams, discord, generic)',
      'templates.github.headline: is not a known field',
      'templates.grafana.channels.oncall: "oncall" is not one of the channels (default)',
    ]);
    expect(problemsOf({ grafana: { channels: { oncall: { title: 'x' } } } })).toEqual([
      'templates.grafana.channels.oncall: "oncall" is not one of the channels (default)',
    ]);
  });

  it('must be an object of sources', () => {
    expect(problemsOf(['github'])).toEqual(['templates: must be an object, not a list']);
  });
});
