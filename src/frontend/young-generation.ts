import v8 from 'node:v8';

/**
 * Keeps V8's young generation (new space) at its initial 2 MB in the deploy-frontend action's process. Imported
 * first, before the bundle's other modules load: it is a side effect of importing this module.
 *
 * Why: a deploy allocates short-lived objects at a high rate (a signed request per file), and V8 answers that by
 * doubling new space up to 64 MB, which it never gives back: in bench/frontend.sh (2,000 files, moto_server) new space
 * was 64 MB of a 173 MB peak RSS on a first deploy and 32 MB of 123 MB on an unchanged redeploy (16 MB already after
 * loading the bundle). An action cannot pass node flags (`--max-semi-space-size`), so the growth factor is set to 1
 * at run time. Measured with it: peak RSS 142 MB first deploy, 112 MB unchanged, 128 MB rebuild, for 0-10 % more
 * CPU (more, smaller scavenges; within the run-to-run noise on a shared machine).
 *
 * Node documents flag changes after start-up as unsupported ("behavior is undefined"): this flag is one V8 reads
 * each time it considers growing new space (heap.cc), and the only effect of it not taking is the old behaviour.
 * Nothing else in the process relies on it.
 */
v8.setFlagsFromString('--semi-space-growth-factor=1');
