#!/usr/bin/env bash
# Benchmark of `shisha-ops frontend deploy` against `aws s3 sync` and `s3-sync-client` on one moto_server (started and
# stopped here): wall, CPU and peak RSS per tool, at 2,000 and 20,000 files (bench/frontend-bench.ts says more).
#   bench/frontend.sh                                   2,000 files / ~75 MB, then 20,000 files / ~200 MB
#   BENCH_FILES=300 BENCH_MB=10 BENCH_BIG_FILES=0 bench/frontend.sh   a quick check
#   BENCH_BEFORE=main bench/frontend.sh                 main side by side with this tree, in the same run
# Needs: node, moto_server (pip install 'moto[server]'), aws CLI (v1 or v2), GNU time (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
for cmd in node moto_server aws /usr/bin/time; do
  command -v "$cmd" >/dev/null || { echo "bench/frontend.sh: '$cmd' is not on PATH" >&2; exit 2; }
done
exec node --no-warnings node_modules/tsx/dist/cli.mjs bench/frontend-bench.ts
