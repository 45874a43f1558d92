/** The Spaces call that failed, named in every error so a log line says where delivery stopped. */
export type SpacesOperation = 'getuploadurl' | 'upload' | 'post' | 'edit' | 'credentials';

/** A failed Spaces call: which one, the HTTP status if there was one, and whether trying again can help. */
export class SpacesError extends Error {
  readonly operation: SpacesOperation;
  readonly status?: number;
  /** 429, 5xx, timeouts and network errors: a later attempt may succeed. */
  readonly retryable: boolean;
  /** From `Retry-After`, when the server said how long to wait. */
  readonly retryAfterMs?: number;

  constructor(
    operation: SpacesOperation,
    message: string,
    options: { status?: number; retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(`Spaces ${operation} failed: ${message}`, { cause: options.cause });
    this.name = 'SpacesError';
    this.operation = operation;
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}
