import { runAction } from '../../../src/core/action.js';
import { FRONTEND_COMMANDS } from '../../../src/frontend/commands.js';

await runAction(FRONTEND_COMMANDS.deploy, 'Frontend deploy');
