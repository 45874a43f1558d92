import { AttachmentError } from '../../lambda/attachments/attachment-error';

/** The `AttachmentError` a promise is refused with (the test fails if it resolves or fails otherwise). */
export async function refusal(promise: Promise<unknown>): Promise<AttachmentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttachmentError);
  return error as AttachmentError;
}
