import { backendClients, type BackendClients } from '../backend/clients.js';
import { frontendClients, type FrontendClients } from '../frontend/clients.js';

/** The AWS clients of the ops commands: the frontend's (S3, CloudFront) and the backend's (Lightsail). */
export type OpsClients = FrontendClients & BackendClients;

/** The ops commands' clients: the two areas' own, Lightsail in `region` when given. */
export function opsClients(inputs: { region?: string } = {}, env = process.env): OpsClients {
  return { ...backendClients(inputs, env), ...frontendClients(env) };
}
