import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { EnvironmentError } from '../errors.js';

/** Creates the pid directory when missing and checks that run may write there, before CMD starts. */
export async function preparePidDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError(`cannot write pidfiles in ${dir} (${code}): give --pid-dir a directory this user can write`);
  }
}

// Writing and removing use the pidfiles module's safe versions (O_EXCL | O_NOFOLLOW temp file;
// removal never follows a symlink and refuses a file replaced meanwhile).
export { checkNamePart, pidfilePath, removeOwnPidfile, writePidfile } from '../pidfiles/write.js';
