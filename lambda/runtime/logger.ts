import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact';

/**
 * The one logger of the relay (Powertools: structured JSON, Lambda context when a handler injects it). Nothing that
 * holds a token or webhook secret is ever passed to it; should an error or an answer quote one all the same, every
 * value of every line is redacted as it is serialized (`jsonReplacerFn` runs on each key and value, nested ones and
 * the fields of a logged error included; see `redact.ts`).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'spaces-relay',
  jsonReplacerFn: redactingReplacer,
});
