import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { secretsManagerSecret } from '../../lambda/ingest/secrets-manager-secret';
import { startMoto, type Moto } from '../support/moto';

let moto: Moto;
let client: SecretsManagerClient;

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient(moto.clientConfig);
});
afterAll(async () => {
  client.destroy();
  await moto.stop();
});

const createSecret = async (value: { SecretString: string } | { SecretBinary: Uint8Array }): Promise<string> =>
  (await client.send(new CreateSecretCommand({ Name: `inbound-${randomUUID()}`, ...value }))).ARN!;

describe('secretsManagerSecret', () => {
  it('reads the current version with its id and creation date, and no previous value before any rotation', async () => {
    // Prepare
    const before = Date.now();
    const store = secretsManagerSecret(client, await createSecret({ SecretString: 'first' }));

    // Act
    const current = await store.current();
    const previous = await store.previous();

    // Assess: Secrets Manager gives dates to the second
    expect(current).toEqual({ id: expect.any(String), value: 'first', created: expect.any(Date) });
    expect(current.created.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(current.created.getTime()).toBeLessThanOrEqual(Date.now());
    expect(previous).toBeUndefined();
  });

  it('reads the value a put replaced as the previous one, and a new version as the current one', async () => {
    // Prepare
    const arn = await createSecret({ SecretString: 'first' });
    const store = secretsManagerSecret(client, arn);
    const first = await store.current();

    // Act: PutSecretValue without stages moves AWSCURRENT to the new version, and AWSPREVIOUS to the old one
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'second' }));
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'third' }));

    // Assess
    const current = await store.current();
    expect(current.value).toBe('third');
    expect(current.id).not.toBe(first.id);
    expect(await store.previous()).toBe('second');
  });

  it('follows a version staged first and promoted later, as a rotation function does', async () => {
    // Prepare
    const arn = await createSecret({ SecretString: 'first' });
    const store = secretsManagerSecret(client, arn);
    const first = await store.current();
    const { VersionId } = await client.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: 'staged', VersionStages: ['AWSPENDING'] }),
    );
    expect((await store.current()).value).toBe('first');

    // Act
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: arn,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: VersionId,
        RemoveFromVersionId: first.id,
      }),
    );

    // Assess
    expect(await store.current()).toMatchObject({ id: VersionId, value: 'staged' });
    expect(await store.previous()).toBe('first');
  });

  it('refuses a secret that holds no string, naming the secret and not what it holds', async () => {
    // Prepare
    const arn = await createSecret({ SecretBinary: Buffer.from('binary-value') });

    // Act
    const reading = secretsManagerSecret(client, arn).current();

    // Assess
    await expect(reading).rejects.toThrow(`the inbound secret ${arn} (AWSCURRENT) must hold a non-empty string (SecretString)`);
  });

  it('fails the read of a secret that does not exist, which ingest answers with 503', async () => {
    // Act
    const reading = secretsManagerSecret(client, `inbound-${randomUUID()}`).current();

    // Assess
    await expect(reading).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
