#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createLogger } from '../platform/logger.ts';
import { AppError } from '../shared/errors.ts';
import { UsageError, type Command } from './command.ts';
import { createAdminCommand } from './commands/create-admin.command.ts';
import { mailCommand } from './commands/mail.command.ts';
import { migrateCommand } from './commands/migrate.command.ts';
import { rotateSigningKeyCommand } from './commands/rotate-signing-key.command.ts';
import { seedDemoCommand } from './commands/seed-demo.command.ts';
import { setPlanCommand } from './commands/set-plan.command.ts';

/** `npm run marquee -- <command>` (or the `marquee` bin). Commands run with the server's config. */
const commands: Command[] = [
  migrateCommand,
  createAdminCommand,
  seedDemoCommand,
  setPlanCommand,
  rotateSigningKeyCommand,
  mailCommand,
];

function help(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: npm run marquee -- <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Configuration comes from the environment and .env, as for `npm start` (see .env.example).',
  ].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    console.error(`marquee: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    try {
      process.loadEnvFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const config = loadConfig();
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: config.log.pretty });
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(`Usage: ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    await command.run({ config, logger, print: (line) => console.log(line) }, values, positionals);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) console.error(`marquee: configuration error: ${error.message}`);
    else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`marquee ${name}: ${(error as Error).message}\nUsage: ${command.usage}`);
      return 2;
    } else if (error instanceof AppError) console.error(`marquee ${name}: ${error.detail}`);
    else
      console.error(
        `marquee ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    return 1;
  }
}

process.exitCode = await run(process.argv.slice(2));
