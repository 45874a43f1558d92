/** A file that could not be attached, with a reason fit to show in the chat ("not on the allowlist", "too large"). */
export class AttachmentError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'AttachmentError';
  }
}
