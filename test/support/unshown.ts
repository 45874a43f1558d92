/** What a chat-webhook source left out while `act` ran: the `unshown` count and the kinds its debug line names. */
import { logger } from '../../lambda/runtime/logger';
import { countTotals } from '../../lambda/runtime/metrics';

export function unshownWhile<T>(act: () => T): { result: T; total: number; byKind: Record<string, number> } {
  const before = countTotals()['unshown'] ?? 0;
  const debug = jest.spyOn(logger, 'debug');
  try {
    const result = act();
    const byKind: Record<string, number> = {};
    for (const [, extra] of debug.mock.calls) {
      const kinds = (extra as { unshown?: Record<string, number> } | undefined)?.unshown ?? {};
      for (const [kind, n] of Object.entries(kinds)) byKind[kind] = (byKind[kind] ?? 0) + n;
    }
    return { result, total: (countTotals()['unshown'] ?? 0) - before, byKind };
  } finally {
    debug.mockRestore();
  }
}
