import * as v from 'valibot';

/**
 * An SNS notification as SNS sends it over HTTPS, or as the body of an SQS message (non-raw delivery).
 * The Lambda form (`Records[].Sns`) carries the same fields.
 */
export const SnsNotificationEntries = {
  Type: v.literal('Notification'),
  MessageId: v.string(),
  TopicArn: v.string(),
  Subject: v.optional(v.nullable(v.string())),
  Message: v.string(),
  Timestamp: v.string(),
};
// Loose: the signature fields and URLs stay on the value for whoever verifies or links them.
export const SnsNotificationSchema = v.looseObject(SnsNotificationEntries);
export type SnsNotification = v.InferOutput<typeof SnsNotificationSchema>;

/** SNS → Lambda: one SNS notification per record. */
export const SnsLambdaEventSchema = v.object({
  Records: v.pipe(v.array(v.object({ EventSource: v.literal('aws:sns'), Sns: SnsNotificationSchema })), v.minLength(1)),
});
