#!/usr/bin/env node
// The `shisha-ops` command. Installed from the package it runs the compiled JavaScript in lib/ (production
// dependencies only). In a checkout (src/ present and tsx installed) it runs the TypeScript sources through tsx, so
// it is always the code being edited; `npm run build:cli` (run by `npm pack`) compiles src/ into lib/.
import { existsSync } from 'node:fs';

// The SDK warns on every run that its 2027 releases will need Node 22; the lockfile pins this one, so say it once in
// the README instead of on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../lib/cli/main.js', import.meta.url);

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

let entry = compiled;
const loader = existsSync(sources) ? await tsx() : undefined;
if (loader) {
  loader.register();
  entry = sources;
} else if (!existsSync(compiled)) {
  process.stderr.write('error: shisha-ops is not built: run `npm ci && npm run build:cli` in its checkout\n');
  process.exit(2);
}
const { main } = await import(entry.href);
await main(process.argv);
