/** Argument parsing shared by the commands (node:util parseArgs with --help handling) and usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A mistake in how a command was called (a missing or unknown option, a file that is not there):
 * the CLI prints its message on one line and exits with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses args; returns null (after printing help) when --help was given. Unknown options are usage errors. */
export function parseCommand(args: string[], options: Options, help: string): ReturnType<typeof parseArgs> | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(`${(err as Error).message.split('\n')[0]?.split('. To specify')[0]}; see --help`);
    throw err;
  }
  if (parsed.values.help) {
    console.log(help);
    return null;
  }
  return parsed;
}
