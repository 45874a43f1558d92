/** Ingest's Lambda entry point: its environment, the AWS platform, the composition root, the handler. */
import { awsIngestPlatform, ingestDependencies } from '../ingest/dependencies';
import { createIngestHandler } from '../ingest/handler';
import { readIngestConfig } from '../runtime/config';

const config = readIngestConfig();

export const handler = createIngestHandler(ingestDependencies(config, awsIngestPlatform(config)));
