/** The relay's log lines as a test sees them: its modules loaded with a verbose logger, and what they write captured. */

/**
 * Runs `load` (which `require`s the relay's modules) as a process started with `POWERTOOLS_LOG_LEVEL=DEBUG` would:
 * the handlers reset the level to the one the logger started with at every warm invocation, so it has to be set
 * before the logger is created — in modules of their own, apart from those the test file imported.
 */
export function loadVerbose<T>(load: () => T): T {
  const saved = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  try {
    let modules: T | undefined;
    jest.isolateModules(() => {
      modules = load();
    });
    return modules!;
  } finally {
    process.env.POWERTOOLS_LOG_LEVEL = saved;
  }
}

/** Captures what the process writes (the logger writes JSON lines to stdout and stderr) while `act` runs. */
export async function captured(act: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}

/** The captured lines as log records. */
export function logRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => line.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, unknown>);
}
