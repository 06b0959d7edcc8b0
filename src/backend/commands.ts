import { command } from '../core/command.js';
import { backendRollbackJob, parseBackendRollbackInputs } from '../ops/rollback.js';
import { backendClients } from './clients.js';
import { backendDeployJob } from './deploy.js';
import { parseBackendDeployInputs, parseBackendServiceInputs } from './deploy-inputs.js';
import { backendLogsJob, parseBackendLogsInputs } from './logs.js';
import { backendReleasesJob } from './rollback.js';
import { backendStatusJob, reportBackendStatus } from './status.js';

/** The backend commands (`shisha-ops backend <command>`; `deploy` is also the deploy-backend action). */
export const BACKEND_COMMANDS = {
  deploy: command({ parse: parseBackendDeployInputs, clients: backendClients, run: backendDeployJob }),
  rollback: command({ parse: parseBackendRollbackInputs, clients: backendClients, run: backendRollbackJob }),
  releases: command({ parse: parseBackendServiceInputs, clients: backendClients, run: backendReleasesJob }),
  status: command({
    parse: parseBackendServiceInputs,
    clients: backendClients,
    run: backendStatusJob,
    report: reportBackendStatus,
  }),
  logs: command({ parse: parseBackendLogsInputs, clients: backendClients, run: backendLogsJob }),
};
