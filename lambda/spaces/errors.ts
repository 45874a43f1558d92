/** The Spaces call that failed, named in every error so a log line says where delivery stopped. */
export type SpacesOperation = 'getuploadurl' | 'upload' | 'post' | 'edit' | 'query' | 'credentials';

/** A failed Spaces call: which one, the HTTP status if there was one, and whether trying again can help. */
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
    super(`Spaces ${operation} failed: ${message}`, { cause: options.cause });
    this.name = 'SpacesError';
    this.operation = operation;
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.ambiguous = options.ambiguous ?? false;
  }
}
