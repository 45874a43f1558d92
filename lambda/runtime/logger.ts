import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of the relay (Powertools: structured JSON, Lambda context when a handler injects it).
 * Nothing that holds a token or webhook secret is ever passed to it.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'spaces-relay' });
