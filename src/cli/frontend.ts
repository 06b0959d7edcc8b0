import type { Command } from 'commander';

/** Sub-commands of `shisha-ops frontend`. */
export function registerFrontend(cmd: Command): void {
  void cmd;
}
