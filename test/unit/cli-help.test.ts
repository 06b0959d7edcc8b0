/**
 * The CLI's help follows one convention (src/cli/common.ts): every flag that takes a value says `(required)` or
 * `(default: …)` the same way, and every on/off setting is a plain switch. Checked over every command, so a new flag
 * that breaks the convention turns this red.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

const root = path.resolve(import.meta.dirname, '..', '..');

function leaves(cmd: Command, names: string[] = []): [string, Command][] {
  if (cmd.commands.length === 0) return [[names.join(' '), cmd]];
  return cmd.commands.flatMap((c) => leaves(c, [...names, c.name()]));
}

const commands = leaves(buildProgram());
const flags = commands.flatMap(([name, cmd]) => cmd.options.map((o) => [`${name} ${o.flags}`, o] as const));

describe('shisha-ops help', () => {
  it('has the commands of the three jobs', () => {
    expect(commands.map(([n]) => n)).toEqual(
      expect.arrayContaining(['frontend deploy', 'backend deploy', 'backup run', 'backup list']),
    );
    expect(flags.length).toBeGreaterThan(30);
  });

  it.each(flags.filter(([, o]) => o.required || o.optional))('%s: says (required) or (default: …)', (_, o) => {
    const last = /\(([^()]*)\)$/.exec(o.description)?.[1] ?? '';
    expect(last).toMatch(/^(required|default: .+)/);
    if (o.mandatory) expect(last).toMatch(/^required/);
  });

  it.each(flags.filter(([, o]) => !o.required && !o.optional))(
    '%s: is a plain switch without a default to state',
    (_, o) => {
      expect(o.flags).not.toMatch(/[<[]/);
      expect(o.description).not.toMatch(/\(default/);
    },
  );

  it('takes no true/false values: on/off settings are switches', () => {
    for (const [name, o] of flags)
      expect({ name, bool: /<bool|true or false/i.test(`${o.flags} ${o.description}`) }).toEqual({ name, bool: false });
  });

  it('--version prints the package version', () => {
    let out = '';
    const program = buildProgram().configureOutput({ writeOut: (s) => (out += s) });
    expect(() => program.parse(['node', 'shisha-ops', '--version'])).toThrow(expect.objectContaining({ exitCode: 0 }));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(out).toBe(`${pkg.version}\n`);
  });
});
