import { command, type Outputs } from '../core/command.js';
import { frontendRollbackJob, parseFrontendRollbackInputs, ROLLBACK_LOCK_OUTPUTS } from '../ops/rollback.js';
import { frontendClients } from './clients.js';
import { frontendDeployJob, reportFrontendDeploy, type DeployResult } from './deploy.js';
import { parseFrontendDeployInputs } from './options.js';
import {
  FRONTEND_RELEASES_OUTPUTS,
  FRONTEND_ROLLBACK_OUTPUTS,
  frontendReleasesJob,
  parseFrontendReleasesInputs,
  reportFrontendReleases,
} from './rollback.js';

const clients = () => frontendClients();

/** The outputs of the deploy-frontend action, `shisha-ops frontend deploy` and `frontend plan`. */
export const FRONTEND_DEPLOY_OUTPUTS: Outputs<DeployResult> = {
  'release-id': (r) => r.releaseId,
  uploaded: (r) => r.uploaded,
  copied: (r) => r.copied,
  deleted: (r) => r.deleted,
  unchanged: (r) => r.unchanged,
  'bytes-uploaded': (r) => r.bytesUploaded,
  'invalidation-id': (r) => r.invalidationId,
  'invalidation-paths': (r) => r.invalidationPaths?.join(' '),
};

/** The frontend commands (`shisha-ops frontend <command>`; `deploy` is also the deploy-frontend action). */
export const FRONTEND_COMMANDS = {
  deploy: command({
    parse: parseFrontendDeployInputs,
    clients,
    run: frontendDeployJob,
    outputs: FRONTEND_DEPLOY_OUTPUTS,
    report: reportFrontendDeploy,
  }),
  /** The deploy with dry-run on. */
  plan: command({
    parse: (src) => parseFrontendDeployInputs((name) => (name === 'dry-run' ? 'true' : src(name))),
    clients,
    run: frontendDeployJob,
    outputs: FRONTEND_DEPLOY_OUTPUTS,
    report: reportFrontendDeploy,
  }),
  rollback: command({
    parse: parseFrontendRollbackInputs,
    clients,
    run: frontendRollbackJob,
    outputs: { ...FRONTEND_ROLLBACK_OUTPUTS, ...ROLLBACK_LOCK_OUTPUTS },
  }),
  releases: command({
    parse: parseFrontendReleasesInputs,
    clients,
    run: frontendReleasesJob,
    outputs: FRONTEND_RELEASES_OUTPUTS,
    report: reportFrontendReleases,
  }),
};
