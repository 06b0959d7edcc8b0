#!/usr/bin/env bash
# Deploys only what main holds now. "Re-run jobs" on an older deploy run would deploy that run's commit again (the
# deploy environments ask for no approval): every production job of deploy.yml runs this first and fails unless
# the commit it checked out (GITHUB_SHA) is the current head of the branch on the remote (default main).
# A run that a newer push overtook fails here too; the newer run deploys.
#   scripts/assert-head-of-main.sh [branch]     (needs GITHUB_SHA and a checkout whose origin is the repository)
set -euo pipefail
branch=${1:-main}
: "${GITHUB_SHA:?GITHUB_SHA is not set: the commit this run deploys}"
head=$(git ls-remote --exit-code origin "refs/heads/${branch}" | cut -f1) || {
  echo "::error::could not read refs/heads/${branch} from origin: not deploying"
  exit 1
}
if [ "$head" != "$GITHUB_SHA" ]; then
  echo "::error::this run deploys ${GITHUB_SHA}, but ${branch} is now at ${head}: not deploying an older commit (a re-run of an old run, or a newer push is queued; the run for ${head} deploys it)"
  exit 1
fi
echo "deploying ${GITHUB_SHA}, the head of ${branch}"
