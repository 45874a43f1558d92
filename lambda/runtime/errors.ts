/**
 * Typed errors with an HTTP status. Anything the relay refuses is one of these, and `errorResponse` is the one
 * place that turns them into a JSON answer, so a bad payload can never surface as a 500.
 */

/** One concrete problem with a request: which field, and what is wrong with it. */
export interface Problem {
  readonly field: string;
  readonly problem: string;
}

/** Base class of every error that maps to an HTTP answer. */
export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  /** Stable machine-readable code for the JSON body. */
  abstract readonly code: string;
  readonly problems: readonly Problem[];
  /** Headers the answer must carry, e.g. the `WWW-Authenticate` challenge some senders wait for before sending credentials. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    message: string,
    options: { problems?: readonly Problem[]; headers?: Readonly<Record<string, string>>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.problems = options.problems ?? [];
    this.headers = options.headers ?? {};
  }
}

export class BadRequestError extends HttpError {
  readonly statusCode = 400;
  readonly code = 'bad_request';
}

export class UnauthorizedError extends HttpError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
}

/**
 * The sender's proof (a signature, a token) is there and well formed, but does not match the secret it was checked
 * against. Another value of the inbound secret may match it (the previous one, during a rotation), so ingest tries
 * the others; every other `UnauthorizedError` is the same whatever the secret, and answered at once.
 */
export class SecretMismatchError extends UnauthorizedError {}

export class NotFoundError extends HttpError {
  readonly statusCode = 404;
  readonly code = 'not_found';
}

export class MethodNotAllowedError extends HttpError {
  readonly statusCode = 405;
  readonly code = 'method_not_allowed';
}

export class RequestTimeoutError extends HttpError {
  readonly statusCode = 408;
  readonly code = 'request_timeout';
}

export class PayloadTooLargeError extends HttpError {
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
}

export class HeaderFieldsTooLargeError extends HttpError {
  readonly statusCode = 431;
  readonly code = 'header_fields_too_large';
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly statusCode = 415;
  readonly code = 'unsupported_media_type';
}

/** The JSON answer the relay sends: always an object, always with a `status` the client can branch on. */
export interface JsonResponse {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The whole answer as text (`text/plain`) instead of `body`, for a sender that expects a chat service's answer
   * (Slack's `ok`; see `ingest/answer-style.ts`). `body` stays the relay's own account of it, for logs and tests.
   */
  readonly text?: string;
}

/** Turns a thrown `HttpError` into its JSON answer; anything else is a fault of ours and is rethrown. */
export function errorResponse(error: unknown): JsonResponse {
  if (!(error instanceof HttpError)) throw error;
  const body: Record<string, unknown> = { error: error.code, message: error.message };
  if (error.problems.length > 0) {
    body.field = error.problems[0]?.field;
    body.problems = error.problems;
  }
  return Object.keys(error.headers).length > 0
    ? { statusCode: error.statusCode, body, headers: error.headers }
    : { statusCode: error.statusCode, body };
}

/** A configuration problem: the function cannot start until the stack (or the local environment) is fixed. */
export class ConfigError extends Error {
  /** Each bad variable, or value inside one (`SOURCE_SETTINGS.github.inProgress`), and what is wrong with it. */
  readonly problems: readonly Problem[];

  constructor(message: string, problems: readonly Problem[] = []) {
    super(message);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
