/** `ingestWebhook` with an in-memory queue, so a test sees exactly what would be queued. */
import type { IntakeDependencies } from '../../lambda/intake';
import type { QueuedNotification } from '../../lambda/notification';
import { resolveSourceSettings } from '../../lambda/sources/settings';

export interface TestIntake {
  readonly deps: IntakeDependencies;
  /** Everything enqueued so far, in order. */
  readonly queued: QueuedNotification[];
}

/** Intake dependencies for a test: the given inbound secret and source settings, channels `default` and `builds`. */
export function testIntake(options: { secret?: string; settings?: Record<string, unknown>; enabledSources?: string[] } = {}): TestIntake {
  const queued: QueuedNotification[] = [];
  return {
    queued,
    deps: {
      webhookSecret: async () => options.secret,
      channels: ['default', 'builds'],
      enabledSources: options.enabledSources,
      sourceSettings: resolveSourceSettings(options.settings ?? {}),
      enqueue: async (notifications) => {
        queued.push(...notifications);
      },
      newId: () => 'test-request',
    },
  };
}
