/**
 * A stand-in for the Lambda Node.js runtime, run with plain `node` in a child process whose environment is exactly
 * the function's (see `lambda-process.ts`). Like the runtime it loads `$LAMBDA_TASK_ROOT/<module>.js` once (the init
 * phase: a throw there is an init error, as a bad configuration gives), then calls the exported handler once per
 * event with a Lambda-shaped context. Events arrive, and results and errors go back, over the IPC channel.
 *
 * Messages from the parent: `{ type: 'invoke', id, event }`.
 * Messages to the parent: `{ type: 'init', error? }` once, then `{ type: 'result', id, result }` or
 * `{ type: 'error', id, error }`; errors as the runtime reports them, `{ errorType, errorMessage }`.
 */
'use strict';
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');

/** `index.handler` → module `index`, export `handler` (what the runtime reads from `_HANDLER`). */
function handlerName() {
  const spec = process.env._HANDLER || '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new Error(`_HANDLER "${spec}" is not <module>.<export>`);
  return { module: spec.slice(0, dot), name: spec.slice(dot + 1) };
}

function reported(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  return { errorType: typeof error, errorMessage: String(error) };
}

/** The context the runtime passes: the function's identity, a request id, and the time left before its timeout. */
function contextFor(timeoutSeconds) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const env = process.env;
  const name = env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${env.AWS_REGION}:123456789012:function:${name}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

let handler;
try {
  const { module, name } = handlerName();
  const loaded = require(join(process.env.LAMBDA_TASK_ROOT, `${module}.js`));
  handler = loaded[name];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${module}.${name} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  process.send({ type: 'init' });
} catch (error) {
  process.send({ type: 'init', error: reported(error) });
}

// A runtime whose parent is gone has nobody to answer: end, as a Lambda sandbox ends with its invoke loop.
process.on('disconnect', () => process.exit(0));

// The timeout is not an environment variable in Lambda either; the parent passes it as an argument.
const timeoutSeconds = Number(process.argv[2]);

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  if (!handler) {
    const error = { errorType: 'Runtime.InitError', errorMessage: 'the function did not start' };
    process.send({ type: 'error', id: message.id, error });
    return;
  }
  try {
    const result = await handler(message.event, contextFor(timeoutSeconds));
    process.send({ type: 'result', id: message.id, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ type: 'error', id: message.id, error: reported(error) });
  }
});
