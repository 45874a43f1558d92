/**
 * Where undeliverable records go, with the reason. A permanent failure (a 4xx from Spaces, an unknown channel, a body
 * nothing can read) is sent straight to the dead-letter queue by deliver, which then reports the record as handled:
 * retrying it would only fail the same way. Transient failures go back to the queue and reach the DLQ through the
 * redrive policy when their receives run out (SQS records no reason then; deliver logged each one), except on their
 * last receive, when deliver dead-letters them itself with the reason (see `batch.ts`).
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PermanentDeliveryError } from './deliver-notification';
import { redact } from '../runtime/redact';
import { cutText } from '../runtime/text';
import { CredentialError, SpacesError } from '../spaces/errors';

export interface DeadLetters {
  send(body: string, reason: string): Promise<void>;
}

/** The message attribute that carries the reason in the DLQ; `spaces-relay dead-letters list` shows it. */
export const REASON_ATTRIBUTE = 'failure-reason';
/** A reason is a sentence, not a payload: cut long ones. */
const MAX_REASON_CHARS = 1_000;

/**
 * Failures that no retry will fix: the record goes to the dead letters at once. A credential failure never is one,
 * even a refusal: it says nothing about the message, and the records must wait for the credential to be fixed.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof CredentialError) return false;
  if (error instanceof PermanentDeliveryError) return true;
  return error instanceof SpacesError && !error.retryable;
}

/** A short, low-cardinality name for a failure, for the metric dimension. */
export function failureKind(error: unknown): string {
  if (error instanceof SpacesError) return `spaces-${error.operation}-${error.status ?? 'error'}`;
  return error instanceof PermanentDeliveryError ? 'undeliverable' : 'unexpected';
}

/**
 * Dead letters whose reasons are redacted on the way in (`redact.ts`): a reason quotes errors, and the queue keeps it
 * for weeks, `spaces-relay dead-letters` prints it and the local `/events` answers with it. The composition root wraps every platform's
 * dead letters in this, so no caller and no platform can forget it.
 */
export function redactingDeadLetters(deadLetters: DeadLetters): DeadLetters {
  return { send: (body, reason) => deadLetters.send(body, redact(reason)) };
}

/** The deployed dead letters: the stack's DLQ (`DLQ_URL`). */
export function sqsDeadLetters(client: SQSClient, queueUrl: string): DeadLetters {
  return {
    send: async (body, reason) => {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: {
            [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: cutText(reason, MAX_REASON_CHARS) || 'unknown' },
          },
        }),
      );
    },
  };
}
