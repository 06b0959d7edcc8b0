// First: it limits V8's heap before the other modules load (lean-heap.ts says why).
import '../../../src/core/lean-heap.js';
import { runAction } from '../../../src/core/action.js';
import { BACKUP_COMMANDS } from '../../../src/backup/commands.js';

await runAction(BACKUP_COMMANDS.run, 'Database backup');
