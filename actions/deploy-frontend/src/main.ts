// First: it limits V8's young generation before the other modules load (young-generation.ts says why).
import '../../../src/frontend/young-generation.js';
import { runAction } from '../../../src/core/action.js';
import { FRONTEND_COMMANDS } from '../../../src/frontend/commands.js';

await runAction(FRONTEND_COMMANDS.deploy, 'Frontend deploy');
