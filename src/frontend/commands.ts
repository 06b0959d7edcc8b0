import { command } from '../core/command.js';
import { frontendRollbackJob, parseFrontendRollbackInputs } from '../ops/rollback.js';
import { frontendClients } from './clients.js';
import { frontendDeployJob, reportFrontendDeploy } from './deploy.js';
import { parseFrontendDeployInputs } from './options.js';
import { frontendReleasesJob, parseFrontendReleasesInputs, reportFrontendReleases } from './rollback.js';

const clients = () => frontendClients();

/** The frontend commands (`shisha-ops frontend <command>`; `deploy` is also the deploy-frontend action). */
export const FRONTEND_COMMANDS = {
  deploy: command({
    parse: parseFrontendDeployInputs,
    clients,
    run: frontendDeployJob,
    report: reportFrontendDeploy,
  }),
  /** The deploy with dry-run on. */
  plan: command({
    parse: (src) => parseFrontendDeployInputs((name) => (name === 'dry-run' ? 'true' : src(name))),
    clients,
    run: frontendDeployJob,
    report: reportFrontendDeploy,
  }),
  rollback: command({ parse: parseFrontendRollbackInputs, clients, run: frontendRollbackJob }),
  releases: command({
    parse: parseFrontendReleasesInputs,
    clients,
    run: frontendReleasesJob,
    report: reportFrontendReleases,
  }),
};
