/**
 * The contract between each action and the CLI (DESIGN.md): action.yml declares every input with a description, runs
 * the committed bundle on node24, and the CLI sub-command over the same core takes the same names as flags.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';

const root = path.resolve(import.meta.dirname, '..', '..');

interface ActionYml {
  name: string;
  description: string;
  branding?: { icon: string; color: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

// Each action and the CLI command(s) over the same core; the ops action's `command` input picks one of its four.
const actions: [string, string[][]][] = [
  ['deploy-frontend', [['frontend', 'deploy']]],
  ['deploy-backend', [['backend', 'deploy']]],
  ['db-backup', [['backup', 'run']]],
  ['ops', Object.keys(OPS_COMMANDS).map((c) => [c])],
];

function command(names: string[]): Command {
  let cmd: Command = buildProgram();
  for (const n of names) {
    const next = cmd.commands.find((c) => c.name() === n);
    if (!next) throw new Error(`no CLI command ${names.join(' ')}`);
    cmd = next;
  }
  return cmd;
}

describe.each(actions)('actions/%s', (name, cli) => {
  const yml = parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;

  it('runs its committed bundle on node24, with a name, description and branding', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(yml.name).toBeTruthy();
    expect(yml.description).toBeTruthy();
    expect(yml.branding?.icon).toBeTruthy();
  });

  it('declares kebab-case inputs and outputs, each described; optional inputs have a default', () => {
    for (const [input, spec] of Object.entries(yml.inputs)) {
      expect(input).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(spec.description.length).toBeGreaterThan(10);
      if (!spec.required) expect(spec).toHaveProperty('default');
    }
    for (const [output, spec] of Object.entries(yml.outputs)) {
      expect(output).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(spec.description.length).toBeGreaterThan(5);
    }
  });

  it(`is also \`shisha-ops ${cli.map((c) => c.join(' ')).join('|')}\`, whose flags carry the same names`, () => {
    const flags = cli.flatMap((c) => command(c).options.map((o) => o.long));
    for (const input of Object.keys(yml.inputs)) if (!(name === 'ops' && input === 'command')) expect(flags).toContain(`--${input}`);
  });
});
