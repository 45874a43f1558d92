/** Deliver's Lambda entry point: its environment, the AWS platform, the composition root, the handler. */
import { awsDeliverPlatform, deliverDependencies } from '../deliver/dependencies';
import { createDeliverHandler } from '../deliver/handler';
import { readDeliverConfig } from '../runtime/config';

const config = readDeliverConfig();

export const handler = createDeliverHandler(deliverDependencies(config, awsDeliverPlatform(config)));
