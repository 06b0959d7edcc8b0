import { runAction } from '../../../src/core/action.js';
import { deployBackend } from '../../../src/backend/deploy.js';

await runAction((inputs, reporter) => deployBackend(inputs, reporter), 'Backend deploy');
