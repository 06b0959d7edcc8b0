/**
 * The contract between each action and the CLI (README.md): action.yml declares every input with a description, runs
 * the committed bundle on node24, and the CLI sub-command over the same core takes the same names as flags; its
 * outputs are those its commands' outputs tables set (src/<area>/commands.ts, src/ops/job.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { flagsToInputs } from '../../src/cli/common.js';
import type { CommandEntry } from '../../src/core/command.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';
import { BACKEND_DEFAULTS } from '../../src/backend/defaults.js';
import { BACKUP_DEFAULTS } from '../../src/backup/defaults.js';
import { FRONTEND_DEFAULTS } from '../../src/frontend/defaults.js';
import { OPS_DEFAULTS } from '../../src/ops/defaults.js';

const root = path.resolve(import.meta.dirname, '..', '..');

interface ActionYml {
  name: string;
  description: string;
  branding?: { icon: string; color: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

type Defaults = Readonly<Record<string, unknown>>;

// Each action, the CLI command(s) over the same core (the ops action's `command` input picks one of its four), its
// area's defaults table, and the command(s) it runs (actions/<name>/src/main.ts).
const actions: [string, string[][], Defaults, CommandEntry<unknown, never>[]][] = [
  ['deploy-frontend', [['frontend', 'deploy']], FRONTEND_DEFAULTS, [FRONTEND_COMMANDS.deploy]],
  ['deploy-backend', [['backend', 'deploy']], BACKEND_DEFAULTS, [BACKEND_COMMANDS.deploy]],
  ['db-backup', [['backup', 'run']], BACKUP_DEFAULTS, [BACKUP_COMMANDS.run]],
  ['ops', Object.keys(OPS_COMMANDS).map((c) => [c]), OPS_DEFAULTS, Object.values(OPS_COMMANDS)],
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

describe.each(actions)('actions/%s', (name, commands, defaults, entries) => {
  const yml = parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;
  const inputs = Object.entries(yml.inputs).filter(([input]) => !(name === 'ops' && input === 'command'));
  /** The (first) CLI command that takes this input, as a switch or a value flag. */
  const cliFor = (input: string): string[] =>
    commands.find((c) => command(c).options.some((o) => o.long === `--${input}` || o.long === `--no-${input}`)) ??
    commands[0]!;

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

  it('declares every output its command(s) set, and sets every output it declares', () => {
    const set = new Set(entries.flatMap((e) => e.outputs));
    const declared = new Set(Object.keys(yml.outputs));
    expect({
      'set but not declared': [...set].filter((o) => !declared.has(o)),
      'declared but never set': [...declared].filter((o) => !set.has(o)),
    }).toEqual({ 'set but not declared': [], 'declared but never set': [] });
  });

  it("declares each optional input's default as its area's defaults table has it (src/<area>/defaults.ts)", () => {
    const differences = inputs
      .filter(([, spec]) => !spec.required)
      .map(([input, spec]) => ({
        input,
        'action.yml': spec.default,
        table: input in defaults ? String(defaults[input]) : '(not in the table)',
      }))
      .filter((d) => d['action.yml'] !== d.table);
    expect(differences).toEqual([]);
  });

  it('has no required input in the defaults table', () => {
    expect(inputs.filter(([input, spec]) => spec.required && input in defaults).map(([input]) => input)).toEqual([]);
  });

  it(`is also \`shisha-ops ${commands.map((c) => c.join(' ')).join('|')}\`, whose flags carry the same names, requirement and defaults`, () => {
    for (const [input, spec] of inputs) {
      const cmd = command(cliFor(input));
      const dflt = spec.default ?? '';
      if (dflt === 'true' || dflt === 'false') {
        // An on/off input is a plain switch: --no-<input> when it is on by default, --<input> when off.
        const flag = dflt === 'true' ? `--no-${input}` : `--${input}`;
        const opt = cmd.options.find((o) => o.long === flag);
        expect({ input, flag: opt?.long, takesValue: opt?.required || opt?.optional }).toEqual({
          input,
          flag,
          takesValue: false,
        });
        continue;
      }
      const opt = cmd.options.find((o) => o.long === `--${input}`);
      expect({ input, flag: opt?.long, takesValue: opt?.required }).toEqual({
        input,
        flag: `--${input}`,
        takesValue: true,
      });
      if (spec.required && commands.length === 1) expect(opt?.description).toMatch(/\(required[;)]/);
      else if (dflt) expect(opt?.description).toContain(`(default: ${dflt}`);
    }
  });

  it('turns each switch into the true/false the core reads for the input, given or not', () => {
    for (const [input, spec] of inputs) {
      if (spec.default !== 'true' && spec.default !== 'false') continue;
      const cli = cliFor(input);
      const flag = spec.default === 'true' ? `--no-${input}` : `--${input}`;
      const flip = String(spec.default !== 'true');
      const given = command(cli).parseOptions([flag]);
      expect(given.unknown).toEqual([]);
      const parsed = (args: string[]) => {
        const cmd = command(cli);
        cmd.parseOptions(args);
        return flagsToInputs(cmd.opts())(input) ?? spec.default;
      };
      expect({ input, given: parsed([flag]), omitted: parsed([]) }).toEqual({
        input,
        given: flip,
        omitted: spec.default,
      });
    }
  });
});
