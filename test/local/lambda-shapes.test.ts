/** The events local mode builds are the ones Lambda would give the handlers. */
import { fromApiGateway } from '../../lambda/ingest/api-gateway';
import { apiGatewayEvent, lambdaContext } from '../../lambda/local/lambda-shapes';
import { fixtureJson } from '../support/fixtures';

describe('apiGatewayEvent', () => {
  it('has the shape of API Gateway’s HTTP API 2.0 event, as its documentation shows it', () => {
    // Prepare
    const documented = fixtureJson('apigateway', 'http_api_payload_v2_aws_docs.json');

    // Act
    const event = apiGatewayEvent({ method: 'post', url: '/my/path?parameter1=value1', headers: { header1: 'value1' }, body: Buffer.from('Hello'), sourceIp: '192.0.2.1' });

    // Assess: every key the relay's event carries is one API Gateway sends, with a value of the same type.
    for (const [key, value] of Object.entries(event)) expect(typeof value).toBe(typeof documented[key]);
    for (const key of Object.keys(event.requestContext.http)) expect(Object.keys(documented.requestContext.http)).toContain(key);
    expect(event).toMatchObject({ version: '2.0', rawPath: '/my/path', rawQueryString: 'parameter1=value1', requestContext: { http: { method: 'POST', sourceIp: '192.0.2.1' } } });
  });

  it('joins repeated headers with commas, keeps cookies apart, and carries the raw bytes base64-encoded', () => {
    // Prepare
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);

    // Act
    const event = apiGatewayEvent({ method: 'POST', url: '/hooks/github', headers: { 'x-multi': ['a', 'b'], cookie: 'one=1; two=2' }, body: bytes, sourceIp: '127.0.0.1' });

    // Assess
    expect(event.headers['x-multi']).toBe('a,b');
    expect(event.cookies).toEqual(['one=1', 'two=2']);
    expect(event.headers.cookie).toBeUndefined();
    expect(fromApiGateway(event).body.equals(bytes)).toBe(true);
  });
});

describe('lambdaContext', () => {
  it('counts the remaining time down from the timeout', async () => {
    // Act
    const context = lambdaContext('deliver', 2, 256);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(1_950);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(1_000);
    expect(context).toMatchObject({ functionName: 'deliver', memoryLimitInMB: '256', awsRequestId: expect.any(String) });
  });
});
