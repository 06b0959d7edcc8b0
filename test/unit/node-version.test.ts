/**
 * One Node for everything: the runtime the actions declare (`runs.using: node24` in actions/*\/action.yml) is the
 * major in .node-version (which setup-node reads in the workflows and .ci/run fetches where `node` is another), the
 * major of @types/node the code is typechecked against, and the lowest version package.json's engines accept.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const read = (...p: string[]) => readFileSync(path.join(root, ...p), 'utf8');
const nodeVersion = read('.node-version').trim();
const major = nodeVersion.split('.')[0]!;

describe('the Node version', () => {
  it('.node-version names a major the actions run on', () => {
    expect(nodeVersion).toMatch(/^\d+(\.\d+\.\d+)?$/);
    const actions = readdirSync(path.join(root, 'actions'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(actions.length).toBeGreaterThan(0);
    for (const name of actions) {
      const yml = parse(read('actions', name, 'action.yml')) as { runs: { using: string } };
      expect({ action: name, using: yml.runs.using }).toEqual({ action: name, using: `node${major}` });
    }
  });

  it('@types/node and engines follow it', () => {
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
    expect(pkg.engines.node).toBe(`>=${major}`);
  });

  it('every workflow that sets up Node reads .node-version', () => {
    let steps = 0;
    for (const file of readdirSync(path.join(root, '.github', 'workflows'))) {
      // each setup-node step, up to the next step
      for (const step of read('.github', 'workflows', file)
        .split(/uses: actions\/setup-node@/)
        .slice(1)) {
        steps++;
        const withBlock = step.split(/\n\s*- /)[0]!;
        expect({ file, reads: withBlock.includes('node-version-file: .node-version') }).toEqual({ file, reads: true });
      }
    }
    expect(steps).toBeGreaterThan(0);
  });
});
