import type { Link } from '../model/message';

/**
 * A file that could not be attached, with a reason fit to show in the chat ("not on the allowlist", "too large").
 * `transient` marks failures that a later attempt may not meet (network, throttling, 5xx): only those make a
 * notification fail when the team asked for `ATTACHMENT_FAILURE=retry`; a refusal by policy never does, since
 * retrying cannot change it. `link` is where a reader can get the file instead (the S3 console for a large object).
 */
export class AttachmentError extends Error {
  readonly transient: boolean;
  readonly link?: Link;

  constructor(
    readonly reason: string,
    options: { cause?: unknown; transient?: boolean; link?: Link } = {},
  ) {
    super(reason, { cause: options.cause });
    this.name = 'AttachmentError';
    this.transient = options.transient ?? false;
    this.link = options.link;
  }
}
