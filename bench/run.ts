/**
 * `npm run bench`: each benchmark prints its own figures. Run one with `npm run bench -- <name>`.
 * Benchmarks report numbers; the tests assert behaviour.
 */
import { bundlesBenchmark } from './bundles';
import { runFaultsBenchmark } from './faults';
import { pipelineBenchmark } from './pipeline';
import { s3RelayBenchmark } from './s3-relay';
import { uploadMemoryBenchmark } from './upload-memory';

interface Benchmark {
  readonly name: string;
  readonly run: () => Promise<void>;
}

const BENCHMARKS: readonly Benchmark[] = [
  { name: 'pipeline', run: pipelineBenchmark },
  { name: 'upload', run: uploadMemoryBenchmark },
  { name: 'bundles', run: bundlesBenchmark },
  { name: 's3-relay', run: s3RelayBenchmark },
  { name: 'faults', run: runFaultsBenchmark },
];

async function main(): Promise<void> {
  // The SDK announces that its 2027 releases need Node 22; the benchmarks run on the local Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
