import type { Command } from 'commander';

/** Sub-commands of `shisha-ops backup`. */
export function registerBackup(cmd: Command): void {
  void cmd;
}
