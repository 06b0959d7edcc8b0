#!/usr/bin/env bash
# Benchmark of `db-backup`: pg_dump → gzip → S3 multipart upload, against what a user would otherwise run.
#   bench/backup.sh                 ~300 MB database (BENCH_DB_MB=50 bench/backup.sh for a quick check)
#   BENCH_BEFORE=<git rev>          also runs the action built from that revision, alternating with ours (before/after)
#   BENCH_PROFILE=1                 one more run of the pigz recipe and of ours with CPU seconds per process and thread
# Starts its own PostgreSQL and moto_server (bench/backup-lab.ts), generates a database of about BENCH_DB_MB MB
# (and a quarter-size one, to show that memory stays flat), builds the db-backup action from this checkout (and from
# BENCH_BEFORE in a temporary `git worktree`) with ncc as `npm run package` does, then measures:
#   1. pg_dump | gzip -6 > /dev/null                       (the floor: dump and compress, no upload)
#   2. pg_dump | gzip -6 | aws s3 cp - s3://...            (the usual shell recipe, aws CLI)
#   2b. pg_dump | pigz -6 -p $(nproc) | aws s3 cp -        (what an experienced engineer scripts; needs pigz)
#   3. the db-backup action (verify off)                   wall time and peak RSS, at both sizes
# Timings alternate BENCH_ROUNDS times (default 2); each line shows the best, the spread and the CPU seconds of the
# command and its children (pg_dump, pigz, aws; not the server or the emulator: BENCH_PROFILE shows those).
# Goals (issue #17): 3 <= 1.0 x 2b, peak RSS <= 120 MB and about the same at both sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
DB_MB=${BENCH_DB_MB:-300}
WORK=$(mktemp -d /tmp/bench-backup-XXXXXX)
LAB_PID=
cleanup() {
  [ -n "$LAB_PID" ] && kill "$LAB_PID" 2>/dev/null && wait "$LAB_PID" 2>/dev/null || true
  [ -d "$WORK/before-tree" ] && git worktree remove --force "$WORK/before-tree" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v pigz >/dev/null || { echo "bench/backup.sh: 'pigz' is not on PATH (apt-get install pigz)" >&2; exit 2; }
# The action as `npm run package` bundles it (dist/ is regenerated on merge, so it may be stale in a checkout).
build_action() { # source tree, output dir
  (cd "$1" && node node_modules/@vercel/ncc/dist/ncc/cli.js build actions/db-backup/src/main.ts -o "$2" --minify --quiet --target es2022)
}
echo "building the db-backup action ..."
build_action "$PWD" "$WORK/ours"
if [ -n "${BENCH_BEFORE:-}" ]; then
  BEFORE_REV=$(git rev-parse --short "$BENCH_BEFORE")
  git worktree add --detach "$WORK/before-tree" "$BEFORE_REV" >/dev/null 2>&1
  # Its own dependencies when its lockfile differs (a package added or dropped since), else this tree's, linked.
  if git diff --quiet "$BEFORE_REV" HEAD -- package-lock.json; then
    cp -al node_modules "$WORK/before-tree/node_modules"
  else
    echo "installing the dependencies of $BEFORE_REV (its package-lock.json differs) ..."
    (cd "$WORK/before-tree" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  echo "building the db-backup action at $BEFORE_REV (BENCH_BEFORE) ..."
  build_action "$WORK/before-tree" "$WORK/before"
fi

echo "starting PostgreSQL and moto_server ..."
mkfifo "$WORK/hold"
# The lab stays up while the fifo is held open; it stops on SIGTERM.
npx tsx bench/backup-lab.ts <"$WORK/hold" >"$WORK/lab.env" 2>"$WORK/lab.err" &
LAB_PID=$!
exec 9>"$WORK/hold"
for _ in $(seq 1 240); do grep -q BENCH_READY "$WORK/lab.env" 2>/dev/null && break; sleep 0.5; done
grep -q BENCH_READY "$WORK/lab.env" || { cat "$WORK/lab.err"; exit 1; }
# shellcheck disable=SC1091
source "$WORK/lab.env"
export PGPASSWORD=$BENCH_PG_PASSWORD PGHOST=$BENCH_PG_HOST PGPORT=$BENCH_PG_PORT PGUSER=$BENCH_PG_USER
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL_S3=$BENCH_MOTO_URL AWS_EC2_METADATA_DISABLED=true
PSQL="$BENCH_PG_BIN/psql -X -q -v ON_ERROR_STOP=1"
PG_DUMP="$BENCH_PG_BIN/pg_dump"
DUMP_FLAGS="--format=plain --no-owner --no-publications --no-subscriptions --quote-all-identifiers --encoding=UTF8"

# A Supabase-like table: uuids, timestamps, short Japanese text, jsonb, arrays (compresses about like real data).
make_db() { # name, MB
  $PSQL -d postgres -c "CREATE DATABASE $1"
  local rows=$(( $2 * 2350 ))
  $PSQL -d "$1" <<SQL
CREATE TABLE sessions (id uuid PRIMARY KEY, user_id uuid NOT NULL, created_at timestamptz NOT NULL, rating numeric(3,1),
  memo text, tags text[], details jsonb);
INSERT INTO sessions
SELECT md5(g::text)::uuid, md5((g % 5000)::text)::uuid, now() - (g || ' seconds')::interval, (g % 11) / 2.0,
       'セッション ' || g || ' 回目: ' || md5(g::text || 'x') || ' ミント ' || (g % 97),
       ARRAY['mint', 'fruit-' || (g % 13), md5((g % 1000)::text)],
       jsonb_build_object('n', g, 'heat', g % 5, 'bowl', 'phunnel', 'notes', md5((g * 7)::text), 'score', random())
FROM generate_series(1, $rows) AS g;
SQL
  echo "  $1: $($PSQL -At -d "$1" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"), $rows rows"
}

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "generating databases (~${DB_MB} MB and ~$(( DB_MB / 4 )) MB) ..."
make_db bench_full "$DB_MB"
make_db bench_quarter $(( DB_MB / 4 > 1 ? DB_MB / 4 : 1 ))
aws --endpoint-url "$BENCH_MOTO_URL" s3 mb s3://bench-backups >/dev/null
URL="postgresql://$BENCH_PG_USER:$BENCH_PG_PASSWORD@$BENCH_PG_HOST:$BENCH_PG_PORT"

# Warm the cache once so the first measurement is not penalised.
$PG_DUMP $DUMP_FLAGS -d bench_full >/dev/null
SQL_BYTES=$($PG_DUMP $DUMP_FLAGS -d bench_full | wc -c)
GZ_BYTES=$($PG_DUMP $DUMP_FLAGS -d bench_full | gzip -6 | wc -c)

# Each measurement appends "seconds cpu_seconds maxrss_kb" to $WORK/m.<name> (CPU: the command and its children).
measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" || { echo "bench/backup.sh: '$name' failed" >&2; return 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$WORK/time" >>"$WORK/m.$name"
}
PIGZ_RECIPE="$PG_DUMP $DUMP_FLAGS -d bench_full | pigz -6 -p $(nproc) | aws --endpoint-url $BENCH_MOTO_URL s3 cp - s3://bench-backups/pigz/full.sql.gz --sse AES256 --only-show-errors"
run_gzip() { measure gzip bash -c "set -o pipefail; $PG_DUMP $DUMP_FLAGS -d bench_full | gzip -6 >/dev/null" || exit 1; }
run_aws() {
  measure aws bash -c "set -o pipefail; $PG_DUMP $DUMP_FLAGS -d bench_full | gzip -6 | aws --endpoint-url $BENCH_MOTO_URL s3 cp - s3://bench-backups/awscli/full.sql.gz --sse AES256 --only-show-errors" || exit 1
}
run_pigz() { measure pigz bash -c "set -o pipefail; $PIGZ_RECIPE" || exit 1; }
action_cmd() { # build dir, db → the action's command line (inputs in the environment, as a runner passes them)
  echo env "INPUT_DATABASE-URL=$URL/$2" INPUT_BUCKET=bench-backups INPUT_PREFIX=bench INPUT_PROJECT=bench INPUT_VERIFY=false \
    "INPUT_FLAVOR=${FLAVOR:-auto}" "INPUT_COMPRESSION-LEVEL=6" "GITHUB_OUTPUT=$WORK/out" "GITHUB_STEP_SUMMARY=$WORK/summary" \
    node "$1/index.js"
}
run_action() { # name, build dir, db
  # shellcheck disable=SC2046
  measure "$1" $(action_cmd "$2" "$3") >"$WORK/action.$1.log" 2>&1 || { cat "$WORK/action.$1.log" >&2; exit 1; }
  sed -n 's/.* in \([0-9.]*\)s$/\1/p' "$WORK/action.$1.log" | tail -1 >>"$WORK/dump.$1"
}
touch "$WORK/out" "$WORK/summary"

# Other work on the machine makes single timings noisy: alternate, ROUNDS times, and compare within the run.
ROUNDS=${BENCH_ROUNDS:-2}
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS: pg_dump | gzip; pg_dump | gzip | aws; pg_dump | pigz | aws; db-backup${BEFORE_REV:+ (this checkout and $BEFORE_REV, alternating)}"
  run_gzip
  run_aws
  run_pigz
  if [ -n "${BEFORE_REV:-}" ] && [ $(( r % 2 )) -eq 0 ]; then
    run_action before "$WORK/before" bench_full
    run_action ours "$WORK/ours" bench_full
  else
    run_action ours "$WORK/ours" bench_full
    [ -n "${BEFORE_REV:-}" ] && run_action before "$WORK/before" bench_full
  fi
done
run_action quarter "$WORK/ours" bench_quarter
# Supabase mode on the same data: three pg_dumps (schema, data, post-data) on one snapshot, plus a catalog query.
FLAVOR=supabase run_action supabase "$WORK/ours" bench_full

best() { sort -n "$WORK/m.$1" | head -1 | cut -d' ' -f1; }
# "best s (min–max), CPU c s" of a measurement series
line() {
  sort -n "$WORK/m.$2" | awk -v label="$1" '
    { t[NR] = $1; c += $2; if ($3 > rss) rss = $3 }
    END { printf "%-46s %6.1fs  (%.1f–%.1f)  CPU %5.1fs  peak RSS %4d MB\n", label, t[1], t[1], t[NR], c / NR, rss / 1024 }'
}
echo
echo "database: $(numfmt --to=iec "$SQL_BYTES") of SQL, $(numfmt --to=iec "$GZ_BYTES") gzipped (-6); $(nproc) CPU cores; $ROUNDS alternating rounds: best (spread), mean CPU"
line "pg_dump | gzip -6 > /dev/null" gzip
line "pg_dump | gzip -6 | aws s3 cp -" aws
line "pg_dump | pigz -6 -p $(nproc) | aws s3 cp -" pigz
line "db-backup action, whole run" ours
echo "  of which dump → gzip → multipart upload:     $(sort -n "$WORK/dump.ours" | head -1)s (the rest: node start, checks, the sidecars)"
[ -n "${BEFORE_REV:-}" ] && line "db-backup action at $BEFORE_REV (BENCH_BEFORE)" before
T_OURS=$(best ours)
echo "ratio db-backup / (pg_dump | gzip):       $(ratio "$T_OURS" "$(best gzip)")"
echo "ratio db-backup / (pg_dump | gzip | aws): $(ratio "$T_OURS" "$(best aws)")"
echo "ratio db-backup / (pg_dump | pigz | aws): $(ratio "$T_OURS" "$(best pigz)")   (goal <= 1.0, issue #17)"
if [ -n "${BEFORE_REV:-}" ]; then
  echo "ratio at $BEFORE_REV / (pg_dump | pigz | aws): $(ratio "$(best before)" "$(best pigz)");  this checkout / $BEFORE_REV: $(ratio "$T_OURS" "$(best before)")"
fi
gzip_t() { # what, key
  if aws --endpoint-url "$BENCH_MOTO_URL" s3 cp "s3://bench-backups/$2" - --only-show-errors | gzip -t; then
    echo "$1 passes gzip -t"
  else
    echo "$1 (s3://bench-backups/$2) FAILS gzip -t"
  fi
}
gzip_t "the pigz object" pigz/full.sql.gz
gzip_t "our last object" "$(awk '/^key<</ { getline; print }' "$WORK/out" | tail -1)"
read -r T_SUPA _ RSS_SUPA <"$WORK/m.supabase"
read -r _ _ RSS_Q <"$WORK/m.quarter"
RSS_FULL=$(sort -n -k3 "$WORK/m.ours" | tail -1 | cut -d' ' -f3)
echo "Supabase mode (flavor: supabase), one run: $(printf '%.1f' "$T_SUPA")s, ratio to pigz $(ratio "$T_SUPA" "$(best pigz)"), peak RSS $(( RSS_SUPA / 1024 )) MB"
echo "peak RSS of db-backup: $(( RSS_Q / 1024 )) MB at ~$(( DB_MB / 4 )) MB, $(( RSS_FULL / 1024 )) MB at ~${DB_MB} MB   (goal <= 120 MB, issue #17; flat)"

if [ "${BENCH_PROFILE:-}" = 1 ]; then
  # Where the cores go: CPU seconds per process (node per thread), the server's backend and the emulator included.
  MOTO_PID=$(pgrep -f "moto_server -H 127.0.0.1 -p ${BENCH_MOTO_URL##*:}\$" | head -1)
  PG_PID=$(pgrep -f "postgres -D .* -p $BENCH_PG_PORT " | head -1)
  echo
  echo "profile (BENCH_PROFILE=1), one run each:"
  bench/cpu-by-process.py "pg_dump | pigz | aws" "$MOTO_PID" "$PG_PID" -- "$PIGZ_RECIPE"
  bench/cpu-by-process.py "db-backup" "$MOTO_PID" "$PG_PID" -- "$(action_cmd "$WORK/ours" bench_full) >/dev/null"
  [ -n "${BEFORE_REV:-}" ] && bench/cpu-by-process.py "db-backup at $BEFORE_REV" "$MOTO_PID" "$PG_PID" -- "$(action_cmd "$WORK/before" bench_full) >/dev/null"
fi
