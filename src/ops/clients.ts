import { backendClients, type BackendClients } from '../backend/clients.js';
import { frontendClients, type FrontendClients } from '../frontend/clients.js';

/** The AWS clients of the ops commands: the frontend's (S3, CloudFront) and the backend's (Lightsail). */
export type OpsClients = FrontendClients & BackendClients;

/**
 * The ops commands' clients, built from any ops command's inputs: the two areas' own, Lightsail in the inputs'
 * `region` when they have one (status, rollback). The clients connect on first use: a command uses only those it needs.
 */
export function opsClients(inputs: object = {}, env = process.env): OpsClients {
  const region = 'region' in inputs && typeof inputs.region === 'string' ? inputs.region : undefined;
  return { ...backendClients({ region }, env), ...frontendClients(env) };
}
