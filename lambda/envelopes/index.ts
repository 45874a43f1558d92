/**
 * Takes AWS envelopes off an event until what is left is a source's own payload: SQS records, SNS notifications
 * (HTTPS/SQS form and Lambda form, raw delivery or not). EventBridge events and S3 notifications are payloads
 * themselves (their sources read the envelope fields), so they are returned as they are.
 */
import * as v from 'valibot';
import { parseJson } from '../runtime/json';
import { SnsLambdaEventSchema, SnsNotificationSchema, type SnsNotification } from './sns';
import { SqsEventSchema } from './sqs';

/**
 * An SNS notification whose message is not a JSON object stays an SNS notification (the `sns` source says it as
 * text): a plain-text message such as `42` or `"done"` parses as JSON too, but it is no event of anyone's.
 */
function openSns(notification: SnsNotification): unknown[] {
  let message: unknown;
  try {
    message = parseJson(notification.Message);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return [notification];
  }
  return message && typeof message === 'object' ? unwrap(message) : [notification];
}

/** The payloads inside `event`, in order. A body that is not JSON is returned as a string. */
export function unwrap(event: unknown): unknown[] {
  const sqs = v.safeParse(SqsEventSchema, event);
  if (sqs.success) return sqs.output.Records.flatMap((record) => unwrapText(record.body));
  const snsLambda = v.safeParse(SnsLambdaEventSchema, event);
  if (snsLambda.success) return snsLambda.output.Records.flatMap((record) => openSns(record.Sns));
  const sns = v.safeParse(SnsNotificationSchema, event);
  if (sns.success) return openSns(sns.output);
  return [event];
}

/** `unwrap` for a body that arrived as text (an SQS message body, an `/events` request). */
export function unwrapText(body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = parseJson(body);
  } catch (error) {
    // Not JSON: a text body is left to the sources. Outside the shape limits (`JsonShapeError`): nobody's event.
    if (!(error instanceof SyntaxError)) throw error;
    return [body];
  }
  return unwrap(parsed);
}
