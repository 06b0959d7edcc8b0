#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx (a dependency), so it is always the code in src/.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
