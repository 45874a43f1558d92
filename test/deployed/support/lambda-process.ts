/**
 * A deployed function run as Lambda runs it: its bundle in a process of its own (`lambda-runtime.cjs` under plain
 * `node`, no test tooling), with exactly the Lambda environment, one init, then invocations one at a time. The
 * process stays warm between invocations, as a Lambda execution environment does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FunctionSpec } from './cloudformation';

const RUNTIME = join(__dirname, 'lambda-runtime.cjs');
/** Kept of each function's output (its JSON logs), for a failing test to show. */
const OUTPUT_LIMIT = 64 * 1024;

/** An error as Lambda reports it. */
export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
}

const describe = (error: LambdaError): string => `${error.errorType}: ${error.errorMessage}`;

/** A failed invocation or init, with Lambda's error type and message. */
export class LambdaInvocationError extends Error {
  constructor(readonly reported: LambdaError) {
    super(describe(reported));
    this.name = 'LambdaInvocationError';
  }
}

type RuntimeMessage =
  | { readonly type: 'init'; readonly error?: LambdaError }
  | { readonly type: 'result'; readonly id: string; readonly result: unknown }
  | { readonly type: 'error'; readonly id: string; readonly error: LambdaError };

/** A running function. */
export interface LambdaProcess {
  /** `'started'` once the init phase is done, or the init error (`<errorType>: <message>`) that stopped it. */
  readonly started: Promise<string>;
  /** Invokes the handler; rejects with {@link LambdaInvocationError} when it throws, or when the timeout passes. */
  invoke<T>(event: unknown): Promise<T>;
  /** What the function wrote to stdout and stderr (the end of it). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `spec`'s bundle with `environment` as its whole environment. */
export function startLambda(spec: FunctionSpec, environment: Readonly<Record<string, string>>): LambdaProcess {
  const child: ChildProcess = fork(RUNTIME, [String(spec.timeoutSeconds)], {
    cwd: spec.bundleDir,
    env: { ...environment },
    // No loaders, no inspector, nothing of the test runner's own Node options.
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  // One execution environment handles one event at a time; Lambda runs concurrent events in other environments.
  let previous: Promise<unknown> = Promise.resolve();
  const started = new Promise<string>((resolve) => {
    child.on('message', (message: RuntimeMessage) => {
      if (message.type === 'init') resolve(message.error ? describe(message.error) : 'started');
      else if (message.type === 'result') pending.get(message.id)?.resolve(message.result);
      else pending.get(message.id)?.reject(new LambdaInvocationError(message.error));
    });
    child.on('exit', (code, signal) => {
      const error = { errorType: 'Runtime.ExitError', errorMessage: `exited with ${signal ?? code}\n${output}` };
      resolve(describe(error));
      for (const waiting of pending.values()) waiting.reject(new LambdaInvocationError(error));
      pending.clear();
    });
  });

  return {
    started,
    invoke: <T>(event: unknown): Promise<T> => {
      const invocation = previous.then(() => invokeNow<T>(event));
      previous = invocation.catch(() => undefined);
      return invocation;
    },
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };

  async function invokeNow<T>(event: unknown): Promise<T> {
    const state = await started;
    if (state !== 'started') throw new LambdaInvocationError({ errorType: 'Runtime.InitError', errorMessage: state });
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      // Lambda stops an invocation at the function's timeout; so does this, and the process goes with it.
      const timer = setTimeout(() => {
        pending.delete(id);
        child.kill('SIGKILL');
        const errorMessage = `Task timed out after ${spec.timeoutSeconds} seconds`;
        reject(new LambdaInvocationError({ errorType: 'Sandbox.Timedout', errorMessage }));
      }, spec.timeoutSeconds * 1000);
      const settle = <V>(done: (value: V) => void) => (value: V) => {
        clearTimeout(timer);
        pending.delete(id);
        done(value);
      };
      pending.set(id, { resolve: settle((value) => resolve(value as T)), reject: settle(reject) });
      child.send({ type: 'invoke', id, event });
    });
  }
}
