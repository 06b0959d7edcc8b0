// Jest global setup for the integration project: one moto_server and one PostgreSQL cluster for the whole run.
// Their addresses reach the test workers through environment variables (workers start after this).
// Plain ESM loading the TypeScript lab through tsx: Jest does not transform globalSetup's own imports.
import { tsImport } from 'tsx/esm/api';

export default async function setup() {
  const { startMoto, startPostgres } = await tsImport('./index.ts', import.meta.url);
  const [moto, pg] = await Promise.all([startMoto(), startPostgres()]);
  globalThis.__SHISHA_LAB__ = [moto, pg];
  Object.assign(process.env, {
    LAB_MOTO_URL: moto.url,
    LAB_PG_HOST: pg.host,
    LAB_PG_PORT: String(pg.port),
    LAB_PG_USER: pg.user,
    LAB_PG_PASSWORD: pg.password,
    LAB_PG_BINDIR: pg.binDir,
    LAB_PG_MAJOR: String(pg.major),
  });
}
