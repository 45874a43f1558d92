import { REDACTED, redact } from '../../lambda/runtime/redact';
import { CredentialError } from '../../lambda/spaces/errors';
import { DEFAULT_TOKEN_URL, parseTokenSecret, renewedContents, secretText } from '../../lambda/spaces/token-secret';

/** A value that must never show up in a message. */
const SECRET = 'sEcReT-value-91x';

function refusal(text: string): CredentialError {
  try {
    parseTokenSecret(text, 'the token secret team/spaces-token');
  } catch (error) {
    return error as CredentialError;
  }
  throw new Error('expected a refusal');
}

const grant = (oauth: Record<string, unknown>, rest: Record<string, unknown> = {}) => JSON.stringify({ oauth, ...rest });

describe('parseTokenSecret', () => {
  it('reads a bare token as bearer', () => {
    // Act
    const contents = parseTokenSecret(' abc.def-ghi_~+/= \n');

    // Assess
    expect(contents).toEqual({ kind: 'token', credential: { scheme: 'bearer', token: 'abc.def-ghi_~+/=' } });
  });

  it('reads {"scheme","token"} whatever the scheme’s case, bearer by default', () => {
    // Act, Assess
    expect(parseTokenSecret('{"scheme":"Service_App","token":"t1"}')).toEqual({ kind: 'token', credential: { scheme: 'service_app', token: 't1' } });
    expect(parseTokenSecret('{"scheme":"jwt","token":"t2"}')).toEqual({ kind: 'token', credential: { scheme: 'jwt', token: 't2' } });
    expect(parseTokenSecret('{"token":"t3"}')).toEqual({ kind: 'token', credential: { scheme: 'bearer', token: 't3' } });
  });

  it('reads an OAuth grant, with the Avaya token endpoint by default and no access token yet', () => {
    // Act
    const contents = parseTokenSecret(grant({ clientId: 'c', clientSecret: 's', refreshToken: 'r' }));

    // Assess
    expect(contents).toMatchObject({
      kind: 'oauth',
      grant: { clientId: 'c', clientSecret: 's', refreshToken: 'r', tokenUrl: DEFAULT_TOKEN_URL },
      access: undefined,
    });
  });

  it('reads a grant with its own https token URL, and the access token the relay stored with it', () => {
    // Prepare
    const text = grant(
      { clientId: 'c', clientSecret: 's', refreshToken: 'r', tokenUrl: 'https://login.example.com/oauth2/token' },
      { access: { token: 'a1', issuedAt: '2030-01-01T00:00:00.000Z', expiresAt: '2030-01-01T01:00:00.000Z' } },
    );

    // Act
    const contents = parseTokenSecret(text);

    // Assess
    expect(contents).toMatchObject({
      grant: { tokenUrl: 'https://login.example.com/oauth2/token' },
      access: { token: 'a1', issuedAt: Date.parse('2030-01-01T00:00:00Z'), expiresAt: Date.parse('2030-01-01T01:00:00Z') },
    });
  });

  it('accepts plain http for a token URL on a loopback address only', () => {
    // Act, Assess
    expect(parseTokenSecret(grant({ clientId: 'c', clientSecret: 's', refreshToken: 'r', tokenUrl: 'http://127.0.0.1:8080/t' }))).toMatchObject({ kind: 'oauth' });
    expect(refusal(grant({ clientId: 'c', clientSecret: 's', refreshToken: 'r', tokenUrl: 'http://accounts.example.com/t' })).message).toContain(
      'oauth.tokenUrl: must be an https URL',
    );
  });

  it('renews a spoilt access token instead of refusing the secret', () => {
    // Act
    const spoilt = [
      { token: 'a', issuedAt: '2030-01-01T00:00:00.000Z', expiresAt: 'soon' },
      { token: 'a', issuedAt: '2030-01-01T02:00:00.000Z', expiresAt: '2030-01-01T01:00:00.000Z' },
    ];
    const contents = spoilt.map((access) => parseTokenSecret(grant({ clientId: 'c', clientSecret: 's', refreshToken: 'r' }, { access })));

    // Assess
    expect(contents).toEqual([expect.objectContaining({ kind: 'oauth', access: undefined }), expect.objectContaining({ kind: 'oauth', access: undefined })]);
  });

  it.each([
    ['', 'it is empty'],
    ['   \n', 'it is empty'],
    [`two ${SECRET}`, 'a bare token must be printable characters without spaces'],
    [`{not json ${SECRET}`, 'it looks like JSON but is not'],
    [`{"scheme":"basic","token":"${SECRET}"}`, 'scheme: must be one of bearer, jwt, service_app'],
    [`{"token": ""}`, 'token: must not be empty'],
    [`{"token": 42}`, 'token: must be a string'],
    [`{"tokn": "${SECRET}"}`, 'token: required'],
    [`{"oauth": "${SECRET}"}`, 'oauth: must be an object'],
    [`{"oauth": {"clientId": "c", "refreshToken": "${SECRET}"}}`, 'oauth.clientSecret: required'],
    [`{"oauth": {"clientId": "c", "clientSecret": "${SECRET}", "refreshToken": ""}}`, 'oauth.refreshToken: must not be empty'],
    [`{"oauth": {"clientId": "c", "clientSecret": "${SECRET}", "refreshToken": "r", "tokenUrl": "ftp://${SECRET}"}}`, 'oauth.tokenUrl: must be an https URL'],
    [`{"oauth": {"clientId": "c", "clientSecret": "a b ${SECRET}", "refreshToken": "r"}}`, 'oauth.clientSecret: must be printable characters without spaces'],
    [`{"token": "${SECRET}", "oauth": {"clientId": "c", "clientSecret": "s", "refreshToken": "r"}}`, 'it holds both "token" and "oauth"; keep one'],
    [`["${SECRET}"]`, 'it is JSON, but not an object'],
    [`"${SECRET}"`, 'it is JSON, but not an object'],
    [`{"oauth": {"clientId": "c", "clientSecret": "s", "refreshToken": "r", "tokenUrl": "https://user:${SECRET}@example.com"}}`, 'oauth.tokenUrl: must be an https URL'],
  ])('refuses %j, saying why and not what it holds', (text, problem) => {
    // Act
    const error = refusal(text);

    // Assess
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.failure).toBe('secret-invalid');
    expect(error.message).toContain(`the token secret team/spaces-token is not a credential (${problem}`);
    expect(error.message).toContain('{"oauth": {"clientId", "clientSecret", "refreshToken", "tokenUrl"?}}');
    expect(error.message).not.toContain(SECRET);
  });
});

describe('parseTokenSecret registers what it reads for redaction', () => {
  it('a token, bare or in JSON', () => {
    // Act
    parseTokenSecret('bare-token-Lk2Pq9');
    parseTokenSecret('{"scheme": "jwt", "token": "json-token-Vb7Nm3"}');

    // Assess
    expect(redact('bare-token-Lk2Pq9 json-token-Vb7Nm3')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('a grant’s client secret, refresh token and access token, not its client id', () => {
    // Act
    parseTokenSecret(
      grant(
        { clientId: 'client-id-Public1', clientSecret: 'client-secret-Hx4Rt6', refreshToken: 'refresh-token-Jw8Ys2' },
        { access: { token: 'access-token-Gc5Ue1', issuedAt: '2030-01-01T00:00:00Z', expiresAt: '2030-01-01T01:00:00Z' } },
      ),
    );

    // Assess
    expect(redact('client-id-Public1 client-secret-Hx4Rt6 refresh-token-Jw8Ys2 access-token-Gc5Ue1')).toBe(
      `client-id-Public1 ${REDACTED} ${REDACTED} ${REDACTED}`,
    );
  });
});

describe('renewedContents', () => {
  it('stores the new access token and rotated refresh token, and keeps the fields it does not know', () => {
    // Prepare
    const contents = parseTokenSecret(grant({ clientId: 'c', clientSecret: 's', refreshToken: 'r1', note: 'for team a' }, { owner: 'ops' }));
    if (contents.kind !== 'oauth') throw new Error('expected a grant');

    // Act
    const renewed = renewedContents(contents, { token: 'a2', issuedAt: Date.parse('2030-01-01T00:00:00Z'), expiresAt: Date.parse('2030-01-01T01:00:00Z') }, 'r2');

    // Assess
    expect(JSON.parse(secretText(renewed))).toEqual({
      owner: 'ops',
      oauth: { clientId: 'c', clientSecret: 's', refreshToken: 'r2', note: 'for team a' },
      access: { token: 'a2', issuedAt: '2030-01-01T00:00:00.000Z', expiresAt: '2030-01-01T01:00:00.000Z' },
    });
    expect(parseTokenSecret(secretText(renewed))).toEqual(renewed);
  });

  it('keeps the refresh token when the issuer did not rotate it', () => {
    // Prepare
    const contents = parseTokenSecret(grant({ clientId: 'c', clientSecret: 's', refreshToken: 'r1' }));
    if (contents.kind !== 'oauth') throw new Error('expected a grant');

    // Act
    const renewed = renewedContents(contents, { token: 'a2', issuedAt: 1, expiresAt: 2 }, undefined);

    // Assess
    expect(renewed.grant.refreshToken).toBe('r1');
  });
});
