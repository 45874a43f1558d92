/**
 * `npm run bench`: each benchmark prints its own figures. Run one with `npm run bench -- <name>`.
 * Benchmarks report numbers; the tests assert behaviour.
 */

interface Benchmark {
  readonly name: string;
  readonly run: () => Promise<void>;
}

// Loaded when run, after the environment below is set: the relay's logger reads its level once, when it is created.
const BENCHMARKS: readonly Benchmark[] = [
  { name: 'pipeline', run: async () => (await import('./pipeline')).pipelineBenchmark() },
  { name: 'upload', run: async () => (await import('./upload-memory')).uploadMemoryBenchmark() },
  { name: 'bundles', run: async () => (await import('./bundles')).bundlesBenchmark() },
  { name: 's3-relay', run: async () => (await import('./s3-relay')).s3RelayBenchmark() },
  { name: 'faults', run: async () => (await import('./faults')).runFaultsBenchmark() },
  { name: 'faults200', run: async () => (await import('./faults')).runFaults200Benchmark() },
  { name: 'burst', run: async () => (await import('./burst')).burstBenchmark() },
];

async function main(): Promise<void> {
  // The SDK announces that its 2027 releases need Node 22; the benchmarks run on the local Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Thousands of outcome lines would bury the figures.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const only = process.argv.slice(2);
  const selected = only.length > 0 ? BENCHMARKS.filter((b) => only.includes(b.name)) : BENCHMARKS;
  if (selected.length === 0) throw new Error(`no benchmark named ${only.join(', ')}; have: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  for (const benchmark of selected) {
    process.stdout.write(`\n== ${benchmark.name} ==\n`);
    await benchmark.run();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
