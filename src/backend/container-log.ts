import {
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  type LightsailClient,
} from '@aws-sdk/client-lightsail';
import { describeError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { environmentValues } from './deployment-request.js';

export interface LogLine {
  at: Date;
  message: string;
}

const MAX_PAGES = 20;

/** The container's log events since `since`, oldest first (follows page tokens, bounded). */
export async function fetchContainerLog(
  client: LightsailClient,
  serviceName: string,
  containerName: string,
  since: Date,
): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.send(
      new GetContainerLogCommand({ serviceName, containerName, startTime: since, pageToken }),
    );
    for (const e of out.logEvents ?? []) lines.push({ at: e.createdAt ?? new Date(0), message: e.message ?? '' });
    pageToken = out.nextPageToken;
    if (!pageToken) break;
  }
  return lines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * Registers as secrets the environment values of every deployment Lightsail still lists (an earlier deployment's
 * container may have logged a value that the current one no longer has).
 */
export async function registerDeployedSecrets(
  client: LightsailClient,
  reporter: Reporter,
  serviceName: string,
): Promise<void> {
  const out = await client.send(new GetContainerServiceDeploymentsCommand({ serviceName }));
  for (const d of out.deployments ?? []) for (const v of environmentValues(d)) reporter.secret(v);
}

/**
 * Prints the container's recent log, redacted (the environment of every listed deployment, URL passwords), at most
 * `maxLines` (the newest). Never throws: a failure is reported as a warning, since the log only explains another
 * failure. When the deployments cannot be read, the log is not shown (it could hold values we could not mask).
 */
export async function showContainerLog(
  client: LightsailClient,
  reporter: Reporter,
  opts: { serviceName: string; containerName: string; since: Date; maxLines?: number },
): Promise<number> {
  const max = opts.maxLines ?? 200;
  try {
    await registerDeployedSecrets(client, reporter, opts.serviceName);
  } catch (err) {
    reporter.warn(
      `could not read the deployments of '${opts.serviceName}' to mask their environment (GetContainerServiceDeployments): ${describeError(err)}; the log is not shown`,
    );
    return 0;
  }
  let lines: LogLine[];
  try {
    lines = await fetchContainerLog(client, opts.serviceName, opts.containerName, opts.since);
  } catch (err) {
    reporter.warn(
      `could not read the log of container '${opts.containerName}' (GetContainerLog): ${describeError(err)}`,
    );
    return 0;
  }
  if (lines.length === 0) {
    reporter.info(`(no log lines from container '${opts.containerName}' since ${opts.since.toISOString()})`);
    return 0;
  }
  if (lines.length > max) reporter.info(`(showing the last ${max} of ${lines.length} lines)`);
  for (const l of lines.slice(-max)) reporter.info(`${l.at.toISOString()}  ${reporter.redact(l.message)}`);
  return lines.length;
}
