/** `npm run redrive -- --team <team> [--dry-run] [--no-wait]`; `--help` lists every option. The work: redrive.ts. */
import { runRedrive } from './redrive';

void runRedrive(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  // Not process.exit: it could cut off output still being written to a pipe.
  process.exitCode = code;
});
