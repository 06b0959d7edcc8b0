export { deployFrontend, planFrontend } from './deploy.js';
export { rollbackFrontend, listReleases } from './rollback.js';
