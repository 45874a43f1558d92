/** The sender's proof the command line makes, checked by each source's own verification, and the hook routes. */
import { CliError } from '../../cli/errors';
import { hookUrl, senderProof } from '../../cli/webhook';
import { ROUTE_SOURCES } from '../../infra/team-config';
import { findSource } from '../../lambda/sources';
import { proveWith } from '../support/proof';
import { webhookRequest } from '../support/fixtures';

const SECRET = 'inbound-secret-0123456789';
const BODY = Buffer.from('{"text":"Deploy finished"}');

describe('senderProof', () => {
  it.each(ROUTE_SOURCES.filter((source) => source !== 'sns'))('proves the secret the way %s verifies it', async (source) => {
    // Prepare
    const endpoint = findSource(source)!.webhook!;

    // Act
    const request = webhookRequest(`/hooks/${source}`, BODY, senderProof(source, BODY, SECRET));

    // Assess
    await expect(proveWith(endpoint, request, SECRET)).resolves.toBeUndefined();
    await expect(proveWith(endpoint, request, `${SECRET}-rotated`)).rejects.toThrow();
  });

  it('signs the exact bytes: a changed body no longer matches', async () => {
    // Prepare
    const proof = senderProof('github', BODY, SECRET);

    // Act
    const tampered = webhookRequest('/hooks/github', Buffer.from('{"text":"Deploy failed"}'), proof);

    // Assess
    await expect(proveWith(findSource('github')!.webhook!, tampered, SECRET)).rejects.toThrow(/does not match the body/);
  });

  it('refuses to make an SNS signature, which only Amazon can', () => {
    // Act
    const proof = () => senderProof('sns', BODY, SECRET);

    // Assess
    expect(proof).toThrow(CliError);
  });
});

describe('hookUrl', () => {
  it.each([
    ['https://abc.execute-api.eu-west-1.amazonaws.com/', 'grafana', undefined, 'https://abc.execute-api.eu-west-1.amazonaws.com/hooks/grafana'],
    ['http://127.0.0.1:3000', 'generic', 'ci', 'http://127.0.0.1:3000/hooks/generic/ci'],
    ['https://relay.example.com/base', 'github', undefined, 'https://relay.example.com/base/hooks/github'],
    ['https://relay.example.com/base', undefined, undefined, 'https://relay.example.com/base/hooks'],
  ])('%s + %s (channel %s) is %s', (apiUrl, source, channel, expected) => {
    // Act
    const url = hookUrl(apiUrl, source, channel);

    // Assess
    expect(url.href).toBe(expected);
  });
});
