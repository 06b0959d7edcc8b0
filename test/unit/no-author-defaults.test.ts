/**
 * Adoptable by another team: the actions, the CLI and the Makefile name no deployment of this project (bucket, image
 * repository, service, domain, project name). Those values live in the workflows and infra/envs/prod only.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

const root = path.resolve(import.meta.dirname, '..', '..');
/** This project's production names: the project, its domain, and the names built from them. */
const AUTHOR = /shisha[-_.]?log|toof\.jp/i;

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

function allOptions(cmd: Command): string[] {
  return [
    ...cmd.options.map((o) => `${o.flags} ${o.description} ${String(o.defaultValue ?? '')}`),
    ...cmd.commands.flatMap(allOptions),
  ];
}

describe("no author's production names as defaults", () => {
  it('the check can fail', () => {
    expect('bucket shisha-log-prod-frontend').toMatch(AUTHOR);
    expect('https://shisha.toof.jp/api/v1').toMatch(AUTHOR);
  });

  it.each(['deploy-frontend', 'deploy-backend', 'db-backup'])(
    'actions/%s: no input default names a deployment',
    (name) => {
      const yml = parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>;
      };
      for (const [input, spec] of Object.entries(yml.inputs))
        expect({ input, default: spec.default ?? '' }).not.toEqual({ input, default: expect.stringMatching(AUTHOR) });
    },
  );

  it('the CLI: no flag, description or default names a deployment', () => {
    expect(allOptions(buildProgram()).filter((t) => AUTHOR.test(t))).toEqual([]);
  });

  it('src/: no source file names a deployment', () => {
    expect(files('src').filter((f) => AUTHOR.test(readFileSync(path.join(root, f), 'utf8')))).toEqual([]);
  });

  it('the Makefile names none', () => {
    expect(readFileSync(path.join(root, 'Makefile'), 'utf8')).not.toMatch(AUTHOR);
  });
});
