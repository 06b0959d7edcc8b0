import v8 from 'node:v8';

/**
 * Two V8 settings that keep the heap of the deploy-frontend and db-backup actions small, set at run time since an
 * action cannot pass node flags. Imported first, before the bundle's other modules load: they are a side effect of
 * importing this module.
 *
 * A deploy allocates short-lived objects at a high rate (a signed request per file). V8 answers that by doubling its
 * young generation (new space) up to 64 MB, which it never gives back: in bench/frontend.sh (2,000 files,
 * moto_server) new space was 64 MB of a 173 MB peak RSS on a first deploy and 32 MB of 123 MB on an unchanged
 * redeploy (16 MB already after loading the bundle). A growth factor of 1 keeps it at its initial 2 MB: peak RSS
 * 142 MB first deploy, 112 MB unchanged, 128 MB rebuild, for 0-10 % more CPU (more, smaller scavenges).
 * With a small young generation the objects of requests in flight outlive two scavenges and are promoted, and the old
 * generation then grew to 39 MB before V8 collected it. `--optimize-for-size` makes V8 grow the old generation's limit
 * conservatively (it collects sooner): old space 39 → 23 MB and peak RSS 132 → 116 MB on a first deploy, 102 → 98 MB
 * unchanged, 110 → 105 MB rebuild, for about 10 % more CPU (0.95 → 1.07 ms per uploaded file).
 *
 * In db-backup (a stream of 64 KiB pipe reads and one zlib output buffer per 1 MiB block, all short-lived), more
 * frequent collections free those buffers sooner: peak RSS 129 → 118 MB at a 150 MB database (bench/backup.sh,
 * before and after in one run), CPU 3.1 → 3.2 s.
 *
 * Node documents flag changes after start-up as unsupported ("behavior is undefined"): both are flags V8 reads each
 * time it sizes a space (heap.cc), and the only effect of one not taking is the old behaviour. Nothing else in the
 * process relies on them.
 */
v8.setFlagsFromString('--semi-space-growth-factor=1');
v8.setFlagsFromString('--optimize-for-size');
