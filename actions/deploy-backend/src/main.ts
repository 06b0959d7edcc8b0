import { runAction } from '../../../src/core/action.js';
import { BACKEND_COMMANDS } from '../../../src/backend/commands.js';

await runAction(BACKEND_COMMANDS.deploy, 'Backend deploy');
