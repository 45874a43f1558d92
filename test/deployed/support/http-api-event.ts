/**
 * Requests as API Gateway's HTTP API hands them to ingest: payload format 2.0, shaped after AWS's documented example
 * (`test/fixtures/apigateway/http_api_payload_v2_aws_docs.json`), routed by the stack's own route keys. Header names
 * arrive lower-case; a binary body arrives base64-encoded with `isBase64Encoded`.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fixtureJson } from '../../support/fixtures';
import { requiredProperty, resourcesOfType, type CfnTemplate } from './cloudformation';

/** A request as a sender makes it. */
export interface SenderRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  /** Whether API Gateway passes the body base64-encoded (it does for what it takes as binary). */
  readonly base64?: boolean;
}

/** The route keys (`POST /hooks/{source}`, ...) of the template's HTTP API. */
export function routeKeys(template: CfnTemplate): string[] {
  return resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map((route) => requiredProperty<string>(route, 'RouteKey'));
}

/** The route API Gateway matches `method path` to, with its path parameters; undefined when none matches (a 404). */
function matchRoute(keys: readonly string[], method: string, path: string) {
  for (const key of keys) {
    const [routeMethod, template = ''] = key.split(' ');
    if (routeMethod !== method && routeMethod !== 'ANY') continue;
    const names = [...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
    const match = new RegExp(`^${template.replace(/\{\w+\}/g, '([^/]+)')}$`).exec(path);
    if (match) {
      return { routeKey: key, pathParameters: Object.fromEntries(names.map((name, index) => [name, match[index + 1]!])) };
    }
  }
  return undefined;
}

/** The event ingest receives for `request` on an API with `keys`. */
export function httpApiEvent(keys: readonly string[], request: SenderRequest): APIGatewayProxyEventV2 {
  const documented = fixtureJson<APIGatewayProxyEventV2>('apigateway', 'http_api_payload_v2_aws_docs.json');
  const method = request.method ?? 'POST';
  const route = matchRoute(keys, method, request.path);
  if (!route) throw new Error(`API Gateway has no route for ${method} ${request.path}: it would answer 404 without ingest`);
  const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const headers: Record<string, string> = { 'content-length': String(bytes.length) };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.path,
    rawQueryString: '',
    headers,
    pathParameters: route.pathParameters,
    requestContext: {
      accountId: documented.requestContext.accountId,
      apiId: documented.requestContext.apiId,
      domainName: documented.requestContext.domainName,
      domainPrefix: documented.requestContext.domainPrefix,
      http: { ...documented.requestContext.http, method, path: request.path, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: request.base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: request.base64 ?? false,
  };
}
