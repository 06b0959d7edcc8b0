import { runAction } from '../../../src/core/action.js';
import { runBackup } from '../../../src/backup/backup.js';

await runAction((inputs, reporter) => runBackup(inputs, reporter).then(() => undefined), 'Database backup');
