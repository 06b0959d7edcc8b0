import { runAction } from '../../../src/core/action.js';
import { deployFrontend } from '../../../src/frontend/deploy.js';

await runAction((inputs, reporter) => deployFrontend(inputs, reporter), 'Frontend deploy');
