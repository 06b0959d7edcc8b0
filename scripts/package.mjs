// Bundles each action's src/main.ts into actions/<name>/dist/index.js with @vercel/ncc.
//   node scripts/package.mjs [name...]          bundle (all actions, or the named ones)
//   node scripts/package.mjs --check [name...]  bundle into a temp dir and fail if committed dist/ differs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const all = readdirSync(path.join(root, 'actions')).filter((n) =>
  existsSync(path.join(root, 'actions', n, 'src', 'main.ts')),
);
const wanted = args.filter((a) => a !== '--check');
const names = wanted.length ? wanted : all;
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const tmp = check ? mkdtempSync(path.join(os.tmpdir(), 'check-dist-')) : '';
let stale = [];

for (const name of names) {
  if (!all.includes(name))
    throw new Error(`no action named '${name}' (actions/${name}/src/main.ts); have: ${all.join(', ')}`);
  const dir = path.join(root, 'actions', name);
  const dist = path.join(dir, 'dist');
  const out = check ? path.join(tmp, name) : dist;
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      path.join(dir, 'src', 'main.ts'),
      '-o',
      out,
      '--minify',
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2022',
    ],
    { stdio: 'inherit', cwd: root },
  );
  if (!check) {
    console.log(`actions/${name}/dist: ${readdirSync(out).join(', ')}`);
    continue;
  }
  const files = new Set([...readdirSync(out), ...(existsSync(dist) ? readdirSync(dist) : [])]);
  for (const f of files) {
    const a = path.join(out, f);
    const b = path.join(dist, f);
    if (!existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b)))
      stale.push(`actions/${name}/dist/${f}`);
  }
}
if (check) {
  rmSync(tmp, { recursive: true, force: true });
  if (stale.length) {
    console.error(`dist/ is out of date (${stale.join(', ')}): run \`npm run package\` and commit the result`);
    process.exit(1);
  }
  console.log(`dist/ is up to date for ${names.join(', ')}`);
}
