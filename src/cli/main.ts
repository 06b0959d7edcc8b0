import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT } from '../core/errors.js';
import { registerFrontend } from './frontend.js';
import { registerBackend } from './backend.js';
import { registerBackup } from './backup.js';
import { registerOps } from './ops.js';

/** The package's version (package.json sits two levels up from both src/cli and the compiled lib/cli). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

/** The `shisha-ops` program: one sub-command per job, the same inputs as the actions (as --kebab-case flags). */
export function buildProgram(): Command {
  const program = new Command('shisha-ops')
    .description(
      'Deploy an SPA to S3 + CloudFront and an API to a Lightsail container service, and back up Postgres to S3 (the same core as the GitHub Actions)',
    )
    .version(version(), '-v, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerFrontend(program.command('frontend').description('Deploy the SPA to S3 + CloudFront'));
  registerBackend(program.command('backend').description('Deploy the API to the Lightsail container service'));
  registerBackup(program.command('backup').description('Back up, list, download and restore the Postgres database'));
  registerOps(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; usage errors exit 2 (commander already printed the message).
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    throw err;
  }
}
