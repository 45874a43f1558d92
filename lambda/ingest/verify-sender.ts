/**
 * A request checked against every valid value of the inbound secret, each with the source's own scheme (an HMAC per
 * value is cheap). The answer to a refused request is the one the source gives today: its message does not depend on
 * which value was tried.
 */
import { SecretMismatchError } from '../runtime/errors';
import type { InboundRequest, WebhookEndpoint } from '../sources/source';
import type { InboundSecrets, ValidSecrets } from './inbound-secret';

/** Which value of the inbound secret the sender holds. */
export type SecretUsed = 'current' | 'previous';

/** The value `request` proves it holds, or the mismatch of the first value tried; any other refusal is thrown. */
async function matching(
  endpoint: WebhookEndpoint,
  request: InboundRequest,
  secrets: ValidSecrets,
): Promise<{ readonly used: SecretUsed } | { readonly mismatch: SecretMismatchError }> {
  let mismatch: SecretMismatchError | undefined;
  for (const [used, secret] of [['current', secrets.current], ['previous', secrets.previous]] as const) {
    if (secret === undefined) continue;
    try {
      await endpoint.verify(request, secret);
      return { used };
    } catch (error) {
      // No header, a malformed one, a bad SNS signature: the same with any value, so the answer is given now.
      if (!(error instanceof SecretMismatchError)) throw error;
      mismatch ??= error;
    }
  }
  return { mismatch: mismatch! };
}

/**
 * Verifies `request` with the source's scheme against the current value of the inbound secret, then the previous one
 * during its grace period; when neither matches, against the values read again (the secret may have been rotated
 * since this instance read it). Throws the source's `UnauthorizedError` when none matches.
 */
export async function verifySender(
  endpoint: WebhookEndpoint,
  request: InboundRequest,
  secrets: InboundSecrets,
): Promise<SecretUsed> {
  const seen = await secrets.valid();
  const first = await matching(endpoint, request, seen);
  if ('used' in first) return first.used;
  const fresh = await secrets.reread(seen);
  const second = fresh && (await matching(endpoint, request, fresh));
  if (second && 'used' in second) return second.used;
  throw first.mismatch;
}
