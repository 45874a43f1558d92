/** A sender's proof checked against one value of the inbound secret as ingest checks it: the headers, then the body. */
import type { InboundRequest, WebhookEndpoint } from '../../lambda/sources/source';

export async function proveWith(endpoint: WebhookEndpoint, request: InboundRequest, secret: string): Promise<void> {
  endpoint.verifyHeaders?.(request.headers, secret);
  await endpoint.verify?.(request, secret);
}
