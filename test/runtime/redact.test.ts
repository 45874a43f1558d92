import {
  MIN_SECRET_LENGTH,
  REDACTED,
  redact,
  redactError,
  redactingReplacer,
  registerSecret,
} from '../../lambda/runtime/redact';

describe('registered secrets', () => {
  it('are removed wherever they occur, every time', () => {
    // Prepare
    registerSecret('spaces-token-R2d2C3po');

    // Act
    const text = redact('refused spaces-token-R2d2C3po (was: spaces-token-R2d2C3po)');

    // Assess
    expect(text).toBe(`refused ${REDACTED} (was: ${REDACTED})`);
  });

  it('are removed in their JSON-escaped and URL-encoded forms too', () => {
    // Prepare
    const secret = 'q"uo\\te/plus+eq=Xy9';
    registerSecret(secret);

    // Act
    const json = redact(JSON.stringify({ echoed: secret }));
    const form = redact(`refresh=${encodeURIComponent(secret)}&x=1`);

    // Assess
    expect(json).toBe(`{"echoed":"${REDACTED}"}`);
    expect(form).toBe(`refresh=${REDACTED}&x=1`);
  });

  it('are removed whole when one contains another', () => {
    // Prepare: the shorter one registered first
    registerSecret('nested-AbC123');
    registerSecret('nested-AbC123-and-more-Zz9');

    // Act
    const text = redact('got nested-AbC123-and-more-Zz9');

    // Assess
    expect(text).toBe(`got ${REDACTED}`);
  });

  it(`are ignored when shorter than ${MIN_SECRET_LENGTH} characters, so that common words stay`, () => {
    // Prepare
    registerSecret('admin12');
    registerSecret('x'.repeat(MIN_SECRET_LENGTH));

    // Act
    const text = redact(`admin12 logged in; ${'x'.repeat(MIN_SECRET_LENGTH)}`);

    // Assess
    expect(text).toBe(`admin12 logged in; ${REDACTED}`);
  });

  it('may be undefined (an absent previous inbound secret)', () => {
    expect(() => registerSecret(undefined)).not.toThrow();
  });

  it('keep a value registered again with every renewal, however many renewed tokens came and went', () => {
    // Prepare: a client secret read with each renewal, and a year's worth of hourly renewed tokens.
    const clientSecret = 'oauth-client-secret-Kq8Lw2';

    // Act
    for (let hour = 0; hour < 400; hour += 1) {
      registerSecret(clientSecret);
      registerSecret(`renewed-access-token-${String(hour).padStart(4, '0')}-Zx9`);
    }

    // Assess: the client secret stays; the oldest tokens are forgotten, the newest not.
    expect(redact(`client ${clientSecret}`)).toBe(`client ${REDACTED}`);
    expect(redact('renewed-access-token-0399-Zx9')).toBe(REDACTED);
    expect(redact('renewed-access-token-0000-Zx9')).toBe('renewed-access-token-0000-Zx9');
  });
});

describe('credential-looking values, registered or not', () => {
  it.each([
    ['Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', `Bearer ${REDACTED}`],
    ['invalid token: bearer 0123abcd-unknown', `invalid token: bearer ${REDACTED}`],
    ['BASIC dXNlcjpwYXNzd29yZA==', `BASIC ${REDACTED}`],
    ['jwt eyJhbGciOi.payload.sig refused', `jwt ${REDACTED} refused`],
    ['scheme service_app ServiceAppToken42', `scheme service_app ${REDACTED}`],
  ])('removes the value of an Authorization scheme: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    'unsupported Authorization scheme: use Bearer or Basic',
    'missing Authorization header: send "Bearer <webhook secret>"',
    "curl -H 'Authorization: Bearer <WEBHOOK_TOKEN>'",
    'Basic authentication with the secret as the password',
    'Basic realm="spaces-relay"',
    'the token secret spaces-token: AccessDeniedException',
    'the token secret is not a credential (oauth.refreshToken: required)',
    'it must hold a token or {"scheme": "bearer"|"jwt"|"service_app", "token": "..."}',
    '{"authorization": "<webhook secret>"}',
  ])('leaves prose about credentials readable: %s', (input) => {
    expect(redact(input)).toBe(input);
  });

  it.each([
    ['Authorization: 0123secret-bare', `Authorization: ${REDACTED}`],
    ['authorization:Bearer abc', `authorization:Bearer ${REDACTED}`],
    ['Proxy-Authorization: Basic abc', `Proxy-Authorization: Basic ${REDACTED}`],
  ])('removes the value of an Authorization header line: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    ['GET /x?token=abc&page=2', `GET /x?token=${REDACTED}&page=2`],
    [
      'grant_type=refresh_token&refresh_token=r1&client_secret=s1',
      `grant_type=refresh_token&refresh_token=${REDACTED}&client_secret=${REDACTED}`,
    ],
    ['ACCESS_TOKEN=x; api_key=y', `ACCESS_TOKEN=${REDACTED}; api_key=${REDACTED}`],
  ])('removes token=… assignments: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    ['{"authorization": "Bearer a b \\"c\\"", "kept": "yes"}', `{"authorization": "${REDACTED}", "kept": "yes"}`],
    ['{"Authorization":"abc"}', `{"Authorization":"${REDACTED}"}`],
    [
      '{"refresh_token":"r1","clientSecret":"s1","password":"p"}',
      `{"refresh_token":"${REDACTED}","clientSecret":"${REDACTED}","password":"${REDACTED}"}`,
    ],
  ])('removes credential fields of JSON text: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});

describe('URLs', () => {
  it.each([
    ['fetching https://user:pass@grafana.example/render.png failed', 'fetching https://grafana.example/render.png failed'],
    ['http://user@host:8080/x', 'http://host:8080/x'],
    // A URL parser takes the last @ before the path as the end of the userinfo.
    ['https://u:p@ss@host/x', 'https://host/x'],
    ['s3://AKIA:secret@bucket/key', 's3://bucket/key'],
  ])('lose their userinfo: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    'https://host/x?mail=a@b.example',
    'mailto:ops@example.com',
    'subscribe https://sns:<webhook secret>@<host>/hooks/sns',
    '{"url":"https://host/a","by":"ops@example.com"}',
  ])('are otherwise left as they are: %s', (input) => {
    expect(redact(input)).toBe(input);
  });
});

it('changes nothing when applied twice', () => {
  const input = 'Authorization: Bearer abc123def456 at https://u:p@h/x?token=t {"password":"p"}';

  expect(redact(redact(input))).toBe(redact(input));
});

describe('the JSON replacer', () => {
  it('redacts every string however deep, and the whole value of a credential property', () => {
    // Prepare
    const value = {
      message: 'refused Bearer abcdef123456',
      authorization: 'anything at all',
      nested: [{ token: 42, reason: 'see https://u:p@host/x' }],
      // The name of a secret is not one.
      secret: 'spaces-token',
      empty: { password: '' },
    };

    // Act
    const json = JSON.parse(JSON.stringify(value, redactingReplacer)) as unknown;

    // Assess
    expect(json).toEqual({
      message: `refused Bearer ${REDACTED}`,
      authorization: REDACTED,
      nested: [{ token: REDACTED, reason: 'see https://host/x' }],
      secret: 'spaces-token',
      empty: { password: '' },
    });
  });
});

it('redacts the message and stack of an error that leaves the process', () => {
  // Prepare
  const error = new Error('Spaces said: Authorization: Bearer abcdef123456');

  // Act
  const redacted = redactError(error);

  // Assess
  expect(redacted).toBe(error);
  expect(error.message).toBe(`Spaces said: Authorization: Bearer ${REDACTED}`);
  expect(error.stack).not.toContain('abcdef123456');
});

it('takes linear time on hostile text: 100 KB in milliseconds, where a quadratic pattern takes seconds', () => {
  // Prepare: every letter a possible URL scheme start; every quote an unclosed credential field; every word a scheme
  const hostile = ['a.'.repeat(50_000), '"token":"'.repeat(11_000), 'bearer '.repeat(14_000)];

  // Act
  const started = Date.now();
  for (const text of hostile) redact(text);
  const elapsed = Date.now() - started;

  // Assess
  expect(elapsed).toBeLessThan(2_000);
});
