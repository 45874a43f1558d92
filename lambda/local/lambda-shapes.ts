/**
 * What Lambda hands a function, made locally: the API Gateway HTTP API (payload 2.0) event for a request, SQS records
 * as the event source builds them, and an invocation context. `npm start` calls the deployed handlers with these,
 * so local mode runs the same code as Lambda, down to the event parsing.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, SQSRecord } from 'aws-lambda';

/** The region and account local resources pretend to live in. */
const LOCAL_REGION = 'local';
const LOCAL_ACCOUNT = '000000000000';

/** A request as the local server read it. */
export interface LocalRequest {
  readonly method: string;
  /** The path and query, as sent (`/hooks/github?x=1`). */
  readonly url: string;
  /** Node's incoming headers: lower-case names, repeated ones as arrays. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

/**
 * A request target split as API Gateway splits it: the raw path (nothing decoded or resolved) and the query. The
 * local server routes by the same path, so that `//x` or `/a/../b` reach the routes exactly as deployed.
 */
export function splitTarget(url: string): { readonly rawPath: string; readonly rawQueryString: string } {
  const [rawPath = '/', rawQueryString = ''] = url.split(/\?(.*)/s, 2);
  return { rawPath, rawQueryString };
}

/**
 * The HTTP API 2.0 event API Gateway would send for `request`: lower-case header names, repeated headers joined with
 * commas, cookies apart, the body base64-encoded (so signatures over the raw bytes hold for any content).
 */
export function apiGatewayEvent(request: LocalRequest, now: Date = new Date()): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitTarget(request.url);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: request.body.toString('base64'),
    isBase64Encoded: true,
  };
}

/** The ARN the local queue's records carry, as the event source sets `eventSourceARN`. */
export const LOCAL_QUEUE_ARN = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:spaces-relay-local`;

/** A received message, as the SQS event source puts it into a record. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt: number;
  readonly firstReceivedAt: number;
}

/** An SQS record as the Lambda event source builds it. */
export function sqsRecord(message: ReceivedMessage, queueArn: string = LOCAL_QUEUE_ARN): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: LOCAL_ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? LOCAL_REGION,
  };
}

/** An invocation context whose remaining time counts down from `timeoutSeconds`, as Lambda's does. */
export function lambdaContext(functionName: string, timeoutSeconds: number, memoryMb: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const awsRequestId = randomUUID();
  const fail = (): never => {
    throw new Error('the callback API is not used by the relay');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}
