#!/usr/bin/env bash
# Benchmark of `shisha-ops frontend deploy` against `aws s3 sync` on one moto_server (started and stopped here).
#   bench/frontend.sh                      2,000 files / ~75 MB (the issue's size)
#   BENCH_FILES=300 BENCH_MB=10 bench/frontend.sh   a quick check
# Needs: node, moto_server (pip install 'moto[server]'), aws CLI (v1 or v2).
set -euo pipefail
cd "$(dirname "$0")/.."
for cmd in node moto_server aws; do
  command -v "$cmd" >/dev/null || { echo "bench/frontend.sh: '$cmd' is not on PATH" >&2; exit 2; }
done
exec node --no-warnings node_modules/tsx/dist/cli.mjs bench/frontend-bench.ts
