/**
 * Files that hold data or keys are private to the user running Cloudbridge: directories it creates
 * get mode 0700, files 0600 (the SQLite database, whose -wal and -shm files SQLite creates with the
 * database file's mode, and the master key file). Existing directories and files keep their mode,
 * because the operator may have chosen it (a backup group, say); `exposureWarnings` names the ones
 * that other users can read, so start-up can warn about them. No process-wide umask is changed.
 */
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` and its missing parents with mode 0700; an existing directory is left as it is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates an empty file with mode 0600 unless it exists; an existing file is left as it is. */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

/**
 * Warnings for existing files that group or others may read or write (`files`), and for
 * directories that group or others may write (`dirs`: they could replace the files). A directory
 * others can only list is not reported: the files in it are what must be private.
 */
export function exposureWarnings(opts: { files: string[]; dirs: string[] }): string[] {
  const warnings: string[] = [];
  const files = opts.files.map((path) => ({ path, mode: modeOf(path) })).filter((f): f is { path: string; mode: number } => f.mode !== null && (f.mode & 0o077) !== 0);
  if (files.length > 0) {
    warnings.push(`${files.map((f) => `${f.path} (mode ${octal(f.mode)})`).join(', ')} can be accessed by other users of this machine; it holds stored data or keys: chmod 600 ${files.map((f) => f.path).join(' ')}`);
  }
  for (const dir of opts.dirs) {
    const mode = modeOf(dir);
    if (mode !== null && (mode & 0o022) !== 0) {
      warnings.push(`the data directory ${dir} (mode ${octal(mode)}) can be written by other users of this machine, who could replace the database or the key file: chmod 700 ${dir}`);
    }
  }
  return warnings;
}
