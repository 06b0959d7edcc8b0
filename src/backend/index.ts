export { deployBackend, type DeployOptions } from './deploy.js';
export { backendStatus } from './status.js';
export { backendLogs } from './logs.js';
export { parseImageRef, mutableImageWarning, type ImageRef } from './image-ref.js';
export { parseDeployInputs, DEPLOY_DEFAULTS, type DeployInputs } from './deploy-inputs.js';
export { buildDeploymentRequest } from './deployment-request.js';
export { resolveTiming, type Timing } from './timing.js';
