import { Lazy } from 'aws-cdk-lib';
import { checkFunctionSettings } from '../../infra/function-settings';
import { TeamConfigError } from '../../infra/team-config';
import { readDeliverSettings, readIngestSettings } from '../../lambda/runtime/config';
import { team } from './support/relay';

const SETTINGS = { CHANNELS: '{"default":"5f2276a8fe5c16664f01c5be"}', ENABLED_SOURCES: 'github', SOURCE_SETTINGS: '{}' };

describe('checkFunctionSettings', () => {
  it('accepts the settings the function accepts', () => {
    // Act
    const checking = () => checkFunctionSettings(team(), 'ingest', SETTINGS, readIngestSettings);

    // Assess
    expect(checking).not.toThrow();
  });

  it('fails as a team config error naming the file, then each refused variable on its own line', () => {
    // Prepare
    const settings = { CHANNELS: '{"ops":"x"}', RESOLVE_MODE: 'replace', DIGEST_THRESHOLD: '0', STATE_TTL_SECONDS: '86400' };

    // Act
    const checking = () => checkFunctionSettings(team({}, 'payments'), 'deliver', settings, readDeliverSettings);

    // Assess
    expect(checking).toThrow(TeamConfigError);
    expect(checking).toThrow(
      'teams/payments.json gives the deliver function settings it would refuse at start-up:\n' +
        '  CHANNELS: needs a "default" channel\n' +
        '  RESOLVE_MODE: must be one of: edit, post, edit-and-post\n' +
        '  DIGEST_THRESHOLD: must be a whole number above 0',
    );
  });

  it('refuses a setting only known at deploy time, which it could not check', () => {
    // Prepare
    const settings = { ...SETTINGS, CHANNELS: Lazy.string({ produce: () => '{"default":"5f2276a8fe5c16664f01c5be"}' }) };

    // Act
    const checking = () => checkFunctionSettings(team(), 'ingest', settings, readIngestSettings);

    // Assess
    expect(checking).toThrow(/^ingest settings CHANNELS are only known at deploy time, so synth cannot check them/);
    expect(checking).not.toThrow(TeamConfigError);
  });

  it('lets any other failure of the reader through as it is', () => {
    // Prepare
    const broken = () => {
      throw new TypeError('reader bug');
    };

    // Act
    const checking = () => checkFunctionSettings(team(), 'ingest', SETTINGS, broken);

    // Assess
    expect(checking).toThrow(TypeError);
  });
});
