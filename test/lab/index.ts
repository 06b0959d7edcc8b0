/**
 * The local lab: real stand-ins for the cloud on free loopback ports, shared by the integration tests and the demo.
 * moto_server (S3, CloudFront), a throwaway PostgreSQL cluster, and the project's Lightsail fake.
 */
import { startMoto, type Moto } from './moto.js';
import { startPostgres, type Postgres } from './postgres.js';
import { LightsailFake } from './lightsail-fake.js';
import { startSupabasePostgres, type SupabaseProject } from './supabase.js';

export { startMoto, startPostgres, startSupabasePostgres, LightsailFake };
export type { Moto, Postgres, SupabaseProject };

/** The environment that points the AWS SDK (and the aws CLI) at the lab: standard endpoint variables only. */
export function awsEnvFor(urls: { moto?: string; lightsail?: string }): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (urls.moto) {
    env.AWS_ENDPOINT_URL_S3 = urls.moto;
    env.AWS_ENDPOINT_URL_CLOUDFRONT = urls.moto;
  }
  if (urls.lightsail) env.AWS_ENDPOINT_URL_LIGHTSAIL = urls.lightsail;
  return env;
}

export interface Lab {
  moto: Moto;
  postgres: Postgres;
  lightsail: LightsailFake;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts all three stand-ins; stops whatever started if one fails. */
export async function startLab(opts: { activationMs?: number } = {}): Promise<Lab> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    const moto = await startMoto();
    started.push(moto);
    const postgres = await startPostgres();
    started.push(postgres);
    const lightsail = new LightsailFake({ activationMs: opts.activationMs });
    await lightsail.start();
    started.push(lightsail);
    return {
      moto,
      postgres,
      lightsail,
      env: awsEnvFor({ moto: moto.url, lightsail: lightsail.url }),
      async stop() {
        await stopAll(started);
      },
    };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

async function stopAll(items: { stop(): Promise<void> }[]): Promise<void> {
  for (const s of items.reverse()) await s.stop().catch(() => undefined);
}
