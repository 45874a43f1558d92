import { UnauthorizedError } from '../../lambda/runtime/errors';
import { verifySharedSecret } from '../../lambda/sources/shared-secret';

const SECRET = 's3cr3t-value';
const withAuth = (authorization?: string): Record<string, string> => (authorization ? { authorization } : {});

describe('verifySharedSecret', () => {
  it('accepts a Bearer token and Basic auth with the secret as password', () => {
    expect(() => verifySharedSecret(withAuth(`Bearer ${SECRET}`), SECRET)).not.toThrow();
    expect(() => verifySharedSecret(withAuth(`bearer ${SECRET}`), SECRET)).not.toThrow();
    const basic = Buffer.from(`alertmanager:${SECRET}`).toString('base64');
    expect(() => verifySharedSecret(withAuth(`Basic ${basic}`), SECRET)).not.toThrow();
  });

  it.each([
    ['a missing header', undefined],
    ['a wrong token', 'Bearer nope'],
    ['a token one character short', `Bearer ${SECRET.slice(0, -1)}`],
    ['a wrong Basic password', `Basic ${Buffer.from(`user:${SECRET}x`).toString('base64')}`],
    ['an unknown scheme', `Token ${SECRET}`],
  ])('refuses %s', (_, header) => {
    expect(() => verifySharedSecret(withAuth(header), SECRET)).toThrow(UnauthorizedError);
  });

  it('never echoes what the sender put in the header', () => {
    let message = '';
    try {
      verifySharedSecret(withAuth(SECRET), SECRET);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/scheme/);
    expect(message).not.toContain(SECRET);
  });
});
