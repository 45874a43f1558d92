import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCredential, secretsManagerCredentials, staticCredentials } from '../../lambda/spaces/credentials';
import { SpacesError } from '../../lambda/spaces/errors';

const secrets = mockClient(SecretsManagerClient);

describe('parseCredential', () => {
  it('reads a bare token as bearer', () => {
    expect(parseCredential(' abc.def \n')).toEqual({ scheme: 'bearer', token: 'abc.def' });
  });

  it('reads JSON with a scheme, whatever its case', () => {
    expect(parseCredential('{"scheme":"Service_App","token":"t1"}')).toEqual({ scheme: 'service_app', token: 't1' });
    expect(parseCredential('{"token":"t2"}')).toEqual({ scheme: 'bearer', token: 't2' });
  });

  it.each(['', '{"scheme":"basic","token":"leaked-value"}', '{"token": ""}', '{not json leaked-value', 'two words'])(
    'refuses %j without repeating it',
    (text) => {
      const error = (() => {
        try {
          parseCredential(text);
        } catch (e) {
          return e as SpacesError;
        }
        throw new Error('expected a failure');
      })();
      expect(error).toMatchObject({ operation: 'credentials', retryable: false });
      expect(error.message).not.toContain('leaked-value');
    },
  );
});

describe('secretsManagerCredentials', () => {
  beforeEach(() => secrets.reset());

  it('caches the secret and re-reads it on refresh', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'old-token' }).resolves({ SecretString: '{"scheme":"jwt","token":"new-token"}' });
    const provider = secretsManagerCredentials('arn:aws:secretsmanager:eu-west-1:123456789012:secret:team-a-cache');

    const first = await provider.get();
    const cached = await provider.get();
    const refreshed = await provider.refresh();

    expect(first).toEqual({ scheme: 'bearer', token: 'old-token' });
    expect(cached).toEqual(first);
    expect(refreshed).toEqual({ scheme: 'jwt', token: 'new-token' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('says which secret it could not read, as a retryable credentials error', async () => {
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const provider = secretsManagerCredentials('team-b-token');

    const reading = provider.get();

    await expect(reading).rejects.toMatchObject({ operation: 'credentials', retryable: true });
    await expect(reading).rejects.toThrow('could not read the token secret team-b-token: AccessDeniedException');
  });
});

describe('staticCredentials', () => {
  it('hands out the same credential on get and refresh', async () => {
    const provider = staticCredentials('local');
    expect(await provider.refresh()).toEqual(await provider.get());
  });
});
