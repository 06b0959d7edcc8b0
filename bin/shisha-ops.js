#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx (a dependency), so it is always the code in src/.
import { register } from 'tsx/esm/api';

// The SDK warns on every run that its 2027 releases will need Node 22; the lockfile pins this one, so say it once in
// the README instead of on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
