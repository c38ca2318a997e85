import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/config.ts';
import type { Logger } from '../platform/logger.ts';

export interface CommandContext {
  config: Config;
  logger: Logger;
  /** Human-facing output (results, hints); logs go to the logger. */
  print: (line: string) => void;
}

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: CommandOptions;
  run(
    context: CommandContext,
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ): Promise<void>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
