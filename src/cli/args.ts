/** Argument parsing shared by the commands (node:util parseArgs with --help handling). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses args; returns null (after printing help) when --help was given. */
export function parseCommand(args: string[], options: Options, help: string): ReturnType<typeof parseArgs> | null {
  const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (parsed.values.help) {
    console.log(help);
    return null;
  }
  return parsed;
}
