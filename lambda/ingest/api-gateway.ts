/** API Gateway HTTP API (payload 2.0) ⇄ the relay's plain request and JSON response. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { JsonResponse } from '../runtime/errors';
import { redact, redactingReplacer } from '../runtime/redact';
import type { InboundRequest } from '../sources/source';

export function fromApiGateway(event: APIGatewayProxyEventV2): InboundRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const raw = event.body ?? '';
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    headers,
    body: Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/** What an answer sends: its `text` when it has one, else its body as JSON; redacted (`redact.ts`) either way. */
export function answerContent(response: JsonResponse): { readonly contentType: string; readonly body: string } {
  return response.text === undefined
    ? { contentType: 'application/json', body: JSON.stringify(response.body, redactingReplacer) }
    : { contentType: 'text/plain; charset=utf-8', body: redact(response.text) };
}

/** The answer as API Gateway sends it; its body redacted (`redact.ts`), as every answer of the relay is. */
export function toApiGateway(response: JsonResponse): APIGatewayProxyStructuredResultV2 {
  const { contentType, body } = answerContent(response);
  return { statusCode: response.statusCode, headers: { 'content-type': contentType, ...response.headers }, body };
}
