import { runAction } from '../../../src/core/action.js';
import { BACKUP_COMMANDS } from '../../../src/backup/commands.js';

await runAction(BACKUP_COMMANDS.run, 'Database backup');
