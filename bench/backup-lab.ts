// Starts a throwaway PostgreSQL and moto_server for bench/backup.sh (through the same lab as the tests), prints
// their coordinates as shell `export` lines on stdout, and stops both on SIGTERM/SIGINT or when stdin closes.
import { startMoto, startPostgres } from '../test/lab/index.js';

const [moto, pg] = await Promise.all([startMoto(), startPostgres()]);
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
process.stdout.write(
  [
    `export BENCH_MOTO_URL=${q(moto.url)}`,
    `export BENCH_PG_HOST=${q(pg.host)}`,
    `export BENCH_PG_PORT=${q(String(pg.port))}`,
    `export BENCH_PG_USER=${q(pg.user)}`,
    `export BENCH_PG_PASSWORD=${q(pg.password)}`,
    `export BENCH_PG_BIN=${q(pg.binDir)}`,
    'export BENCH_READY=1',
    '',
  ].join('\n'),
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([moto.stop(), pg.stop()]);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
