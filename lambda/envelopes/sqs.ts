import * as v from 'valibot';

/** An SQS event as Lambda receives it; deliver's handler gets these, and `/events` accepts them. */
export const SqsEventSchema = v.object({
  Records: v.pipe(
    v.array(v.object({ eventSource: v.literal('aws:sqs'), messageId: v.string(), body: v.string() })),
    v.minLength(1),
  ),
});
export type SqsEvent = v.InferOutput<typeof SqsEventSchema>;
