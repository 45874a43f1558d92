/** The payload a command line names, as `send` posts it and `render` previews it. */
import { readFile } from 'node:fs/promises';
import { CliError } from './errors';

/** The bytes of `payload`: a file, or standard input (`stdin`) for `-`; a file that cannot be read is an error saying why. */
export async function readPayload(payload: string, stdin: () => Promise<Buffer>): Promise<Buffer> {
  if (payload === '-') return stdin();
  try {
    return await readFile(payload);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (error as Error).message;
    throw new CliError(`cannot read ${payload}: ${reason}`, { cause: error });
  }
}
