import { runAction } from '../../../src/core/action.js';
import { opsJob } from '../../../src/ops/job.js';

await runAction(opsJob);
