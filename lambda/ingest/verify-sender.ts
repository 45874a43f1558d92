/**
 * A sender's proof checked against every valid value of the inbound secret, each with the source's own scheme (an
 * HMAC per value is cheap). The answer to a refused request is the one the source gives today: its message does not
 * depend on which value was tried. Ingest checks a proof in the headers (`verifyHeaders`) before it reads the body,
 * and a proof over the body (`verify`) after; the local server's own routes check their bearer token the same way.
 */
import { SecretMismatchError } from '../runtime/errors';
import type { InboundSecrets, ValidSecrets } from './inbound-secret';

/** Which value of the inbound secret the sender holds. */
export type SecretUsed = 'current' | 'previous';

/**
 * One check of the sender's proof against one value of the inbound secret: a source's `verifyHeaders` or `verify`
 * bound to the request. Throws `SecretMismatchError` when another value might match, any other error when none can.
 */
export type ProofCheck = (secret: string) => void | Promise<void>;

/** The value the proof shows the sender holds, or the mismatch of the first value tried; any other refusal is thrown. */
async function matching(
  check: ProofCheck,
  secrets: ValidSecrets,
): Promise<{ readonly used: SecretUsed } | { readonly mismatch: SecretMismatchError }> {
  let mismatch: SecretMismatchError | undefined;
  for (const [used, secret] of [['current', secrets.current], ['previous', secrets.previous]] as const) {
    if (secret === undefined) continue;
    try {
      await check(secret);
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
 * Runs `check` against the current value of the inbound secret, then the previous one during its grace period; when
 * neither matches, against the values read again (the secret may have been rotated since this instance read it).
 * Throws the check's `UnauthorizedError` when none matches. A check that does not depend on the value (an SNS
 * signature) passes with the current one.
 */
export async function verifySender(check: ProofCheck, secrets: InboundSecrets): Promise<SecretUsed> {
  const seen = await secrets.valid();
  const first = await matching(check, seen);
  if ('used' in first) return first.used;
  const fresh = await secrets.reread(seen);
  const second = fresh && (await matching(check, fresh));
  if (second && 'used' in second) return second.used;
  throw first.mismatch;
}
