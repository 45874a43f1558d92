/** `ingestWebhook` with an in-memory queue, so a test sees exactly what would be queued. */
import { fixedInboundSecret, inboundSecrets } from '../../lambda/ingest/inbound-secret';
import type { IntakeDependencies } from '../../lambda/ingest/intake';
import type { QueuedNotification } from '../../lambda/model/notification';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { NO_TEMPLATES } from '../../lambda/render/templates';

export interface TestIntake {
  readonly deps: IntakeDependencies;
  /** Everything enqueued so far, in order. */
  readonly queued: QueuedNotification[];
}

/** Options of `testIntake`; `overrides` replaces any dependency outright (a failing queue, a body limit). */
export interface TestIntakeOptions {
  readonly secret?: string;
  readonly settings?: Record<string, unknown>;
  readonly enabledSources?: string[];
  /** Channels besides `default`. @default ['builds'] */
  readonly channels?: string[];
  readonly overrides?: Partial<IntakeDependencies>;
}

/** Intake dependencies for a test: the given inbound secret, source settings and channels, a fixed request id. */
export function testIntake(options: TestIntakeOptions = {}): TestIntake {
  const queued: QueuedNotification[] = [];
  return {
    queued,
    deps: {
      inboundSecrets: options.secret === undefined ? undefined : inboundSecrets(fixedInboundSecret(options.secret), { graceMs: 0 }),
      channels: ['default', ...(options.channels ?? ['builds'])],
      enabledSources: options.enabledSources,
      sourceSettings: resolveSourceSettings(options.settings ?? {}),
      templates: NO_TEMPLATES,
      enqueue: async (notifications) => {
        queued.push(...notifications);
      },
      newId: () => 'test-request',
      ...options.overrides,
    },
  };
}
