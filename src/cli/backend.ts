import type { Command } from 'commander';

/** Sub-commands of `shisha-ops backend`. */
export function registerBackend(cmd: Command): void {
  void cmd;
}
