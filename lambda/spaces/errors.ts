import { redact } from '../runtime/redact';

/** The Spaces call that failed, named in every error so a log line says where delivery stopped. */
export type SpacesOperation = 'getuploadurl' | 'upload' | 'post' | 'edit' | 'query' | 'user';

/**
 * A failed Spaces call: which one, the HTTP status if there was one, and whether trying again can help. Its message
 * is often built from Spaces' answer, which may quote the request (its `Authorization` header): it is redacted here,
 * so that no log line, dead-letter reason or chat note made from it can hold a credential.
 */
export class SpacesError extends Error {
  readonly operation: SpacesOperation;
  readonly status?: number;
  /** 429, 5xx, timeouts and network errors: a later attempt may succeed. */
  readonly retryable: boolean;
  /** From `Retry-After`, when the server said how long to wait. */
  readonly retryAfterMs?: number;
  /**
   * The call may have been carried out although no answer said so (a post whose connection dropped). Posts are not
   * idempotent, so such a call is never repeated blindly: the caller checks first whether it landed.
   */
  readonly ambiguous: boolean;

  constructor(
    operation: SpacesOperation,
    message: string,
    options: { status?: number; retryable: boolean; retryAfterMs?: number; ambiguous?: boolean; cause?: unknown },
  ) {
    super(redact(`Spaces ${operation} failed: ${message}`), { cause: options.cause });
    this.name = 'SpacesError';
    this.operation = operation;
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.ambiguous = options.ambiguous ?? false;
  }
}

/**
 * What went wrong with the Spaces credential; the reason dimension of the `credentialFailures` metric.
 * - `secret-unreadable`: the token secret could not be read (permissions, a missing secret, Secrets Manager down).
 * - `secret-invalid`: it holds nothing the relay can use as a credential.
 * - `grant-refused`: the token endpoint refused the OAuth grant (a revoked or spent refresh token, a wrong client).
 * - `issuer-unavailable`: the token endpoint failed, timed out or answered nonsense; or another invocation's renewal
 *   did not finish in time.
 * - `token-refused`: Spaces answered 401 to a credential that was just re-read or renewed.
 * - `write-back`: a renewed grant could not be stored in the secret (delivery goes on; the next renewal may fail).
 */
export type CredentialFailure =
  | 'secret-unreadable'
  | 'secret-invalid'
  | 'grant-refused'
  | 'issuer-unavailable'
  | 'token-refused'
  | 'write-back';

/**
 * The relay cannot authenticate to Spaces. Not a fault of the message being delivered, and not one a quick retry
 * fixes: every call needs the credential, so delivery stops (the whole batch goes back to the queue) until someone
 * fixes the secret or the issuer recovers. Deliberately not a `SpacesError`, so that neither the retry loop nor the
 * dead-letter rule takes it for a refusal of the message. Its message never holds a token or a secret: it is redacted
 * here, as it may quote Spaces' answer to a refused token.
 */
export class CredentialError extends Error {
  readonly failure: CredentialFailure;
  /** The OAuth error code the token endpoint answered (`invalid_grant`, `invalid_client`, …), when it did. */
  readonly oauthError?: string;

  constructor(failure: CredentialFailure, message: string, options: { oauthError?: string; cause?: unknown } = {}) {
    super(redact(`Spaces credential: ${message}`), { cause: options.cause });
    this.name = 'CredentialError';
    this.failure = failure;
    this.oauthError = options.oauthError;
  }
}
