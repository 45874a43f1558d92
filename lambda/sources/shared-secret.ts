import { SecretMismatchError, UnauthorizedError } from '../runtime/errors';
import { secretsEqual } from '../security/constant-time';
import type { RequestHeaders } from './source';

/** The check for the inbound secret given as the last path segment (see `WebhookEndpoint.secretInPath`). */
export function verifyPathSecret(given: string, secret: string): void {
  if (!secretsEqual(given, secret)) throw new SecretMismatchError('the webhook secret in the path does not match');
}

/**
 * The check for senders that can only add a static credential (Alertmanager, Grafana, generic callers):
 * `Authorization: Bearer <secret>`, or Basic auth with the secret as the password (any user name). The headers alone
 * prove it, so it is checked before the body is read.
 */
export function verifySharedSecret(headers: RequestHeaders, secret: string): void {
  const header = headers.authorization;
  if (!header) throw new UnauthorizedError('missing Authorization header: send "Bearer <webhook secret>"');
  const [scheme = '', credential = ''] = header.trim().split(/\s+/, 2);
  let given: string;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      given = credential;
      break;
    case 'basic': {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
      break;
    }
    default:
      // The scheme is not echoed: a sender that put the bare secret in the header would see it in the answer.
      throw new UnauthorizedError('unsupported Authorization scheme: use Bearer or Basic');
  }
  if (!secretsEqual(given, secret)) throw new SecretMismatchError('the webhook secret does not match');
}
