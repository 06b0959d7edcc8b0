import { command } from '../core/command.js';
import { backendRollbackJob, parseBackendRollbackInputs, ROLLBACK_LOCK_OUTPUTS } from '../ops/rollback.js';
import { backendClients } from './clients.js';
import { BACKEND_DEPLOY_OUTPUTS, backendDeployJob } from './deploy.js';
import { parseBackendDeployInputs, parseBackendServiceInputs } from './deploy-inputs.js';
import { BACKEND_LOGS_OUTPUTS, backendLogsJob, parseBackendLogsInputs } from './logs.js';
import {
  BACKEND_RELEASES_OUTPUTS,
  BACKEND_ROLLBACK_OUTPUTS,
  backendReleasesJob,
  reportBackendReleases,
} from './rollback.js';
import { BACKEND_STATUS_OUTPUTS, backendStatusJob, reportBackendStatus } from './status.js';

/** The backend commands (`shisha-ops backend <command>`; `deploy` is also the deploy-backend action). */
export const BACKEND_COMMANDS = {
  deploy: command({
    parse: parseBackendDeployInputs,
    clients: backendClients,
    run: backendDeployJob,
    outputs: BACKEND_DEPLOY_OUTPUTS,
  }),
  rollback: command({
    parse: parseBackendRollbackInputs,
    clients: backendClients,
    run: backendRollbackJob,
    outputs: { ...BACKEND_ROLLBACK_OUTPUTS, ...ROLLBACK_LOCK_OUTPUTS },
  }),
  releases: command({
    parse: parseBackendServiceInputs,
    clients: backendClients,
    run: backendReleasesJob,
    outputs: BACKEND_RELEASES_OUTPUTS,
    report: reportBackendReleases,
  }),
  status: command({
    parse: parseBackendServiceInputs,
    clients: backendClients,
    run: backendStatusJob,
    outputs: BACKEND_STATUS_OUTPUTS,
    report: reportBackendStatus,
  }),
  logs: command({
    parse: parseBackendLogsInputs,
    clients: backendClients,
    run: backendLogsJob,
    outputs: BACKEND_LOGS_OUTPUTS,
  }),
};
