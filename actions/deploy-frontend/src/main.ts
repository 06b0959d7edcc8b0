// First: it limits V8's heap before the other modules load (lean-heap.ts says why).
import '../../../src/core/lean-heap.js';
import { runAction } from '../../../src/core/action.js';
import { FRONTEND_COMMANDS } from '../../../src/frontend/commands.js';

await runAction(FRONTEND_COMMANDS.deploy, 'Frontend deploy');
