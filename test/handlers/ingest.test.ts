import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { fixtureBytes, fixtureJson } from '../support/fixtures';

const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
const SECRET = 'generated-inbound-secret';
const context = { functionName: 'ingest', awsRequestId: 'req-1' } as Context;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

/** An HTTP API (payload 2.0) event, built on the AWS docs example with our path, headers and body. */
function apiEvent(path: string, body: Buffer, headers: Record<string, string>, base64 = false): APIGatewayProxyEventV2 {
  const event = fixtureJson<APIGatewayProxyEventV2>('apigateway', 'http_api_payload_v2_aws_docs.json');
  return {
    ...event,
    rawPath: path,
    headers,
    body: base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: base64,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST', path } },
  };
}

describe('ingest handler', () => {
  beforeAll(async () => {
    process.env.WEBHOOK_SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:inbound-AbCdEf';
    process.env.QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-queue';
    process.env.CHANNELS = JSON.stringify({ default: 'space-1' });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET, VersionId: 'v1', CreatedDate: new Date('2026-01-01T00:00:00Z') });
    ({ handler } = (await import('../../lambda/handlers/ingest')) as unknown as { handler: Handler });
  });

  beforeEach(() => sqs.reset());

  it('queues a base64-encoded Alertmanager body and answers 202 JSON', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [] });
    const body = fixtureBytes('alertmanager', 'resolved_three_alerts_capture.json');

    const result = await handler(
      apiEvent('/hooks/alertmanager', body, { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, true),
      context,
    );

    expect(result.statusCode).toBe(202);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!;
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe(process.env.QUEUE_URL);
    expect(JSON.parse(entries[0]!.MessageBody!)).toMatchObject({ v: 1, channel: 'default', message: { source: 'alertmanager', status: 'resolved' } });
  });

  it('answers a wrong secret with 401 and queues nothing', async () => {
    const result = await handler(
      apiEvent('/hooks/alertmanager', fixtureBytes('alertmanager', 'firing_single_alert_capture.json'), {
        'content-type': 'application/json',
        authorization: 'Bearer guess',
      }),
      context,
    );

    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body!)).toMatchObject({ error: 'unauthorized' });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers the function-URL fixture (an unknown content type at the root path) with 404, not a crash', async () => {
    const event = fixtureJson<APIGatewayProxyEventV2>('apigateway', 'function_url_v2_base64_body.json');

    const result = await handler(event, context);

    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body!).message).toContain('post to /hooks/{source}');
  });

  it('answers 503 when SQS refuses the message', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'KMS.AccessDenied', SenderFault: true }] });

    const result = await handler(
      apiEvent('/hooks/generic', Buffer.from('{"text":"x"}'), { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }),
      context,
    );

    expect(result.statusCode).toBe(503);
  });
});
