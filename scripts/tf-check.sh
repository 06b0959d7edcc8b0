#!/usr/bin/env bash
# Terraform as Terraform sees it: `init -backend=false`, `validate` and `test` (mocked providers, no AWS account)
# for infra/envs/prod and every module with a tests/ folder. Providers come from a local filesystem mirror, never
# from the network: TF_PLUGIN_MIRROR, or /opt/tf-plugins, or ~/.terraform.d/plugins (on CI the workflow fills one
# with `terraform providers mirror`). Nothing is written into the repository: .terraform goes to a temporary
# TF_DATA_DIR, and a lock file init creates where none is committed is removed again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

has_aws() { [ -d "$1/registry.terraform.io/hashicorp/aws" ]; }
if [ -n "${TF_PLUGIN_MIRROR:-}" ] && ! has_aws "$TF_PLUGIN_MIRROR"; then
  echo "tf-check: TF_PLUGIN_MIRROR=$TF_PLUGIN_MIRROR holds no registry.terraform.io/hashicorp/aws provider." >&2
  echo "tf-check: make one with: terraform -chdir=infra/envs/prod providers mirror \"$TF_PLUGIN_MIRROR\"" >&2
  exit 1
fi
mirror=""
for candidate in "${TF_PLUGIN_MIRROR:-}" /opt/tf-plugins "$HOME/.terraform.d/plugins"; do
  if [ -n "$candidate" ] && has_aws "$candidate"; then
    mirror=$candidate
    break
  fi
done
if [ -z "$mirror" ]; then
  echo "tf-check: no provider mirror with registry.terraform.io/hashicorp/aws found (looked in \$TF_PLUGIN_MIRROR, /opt/tf-plugins, ~/.terraform.d/plugins)." >&2
  echo "tf-check: make one with: terraform -chdir=infra/envs/prod providers mirror <dir>, then TF_PLUGIN_MIRROR=<dir> npm test" >&2
  exit 1
fi

if ! command -v terraform >/dev/null 2>&1; then
  echo "tf-check: terraform is not on PATH: install Terraform >= 1.10 to validate and test infra/" >&2
  exit 1
fi

work=$(mktemp -d)
created_locks=()
cleanup() {
  for lock in "${created_locks[@]}"; do rm -f "$lock"; done
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
}
plugin_cache_dir = "$work/plugin-cache"
EOF
mkdir -p "$work/plugin-cache"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export TF_INPUT=0
export CHECKPOINT_DISABLE=1

dirs=(infra/envs/prod)
for tests in infra/modules/*/tests; do
  [ -d "$tests" ] && dirs+=("${tests%/tests}")
done

for dir in "${dirs[@]}"; do
  echo "== $dir"
  export TF_DATA_DIR="$work/data/${dir//\//_}"
  lock="$root/$dir/.terraform.lock.hcl"
  if [ -f "$lock" ]; then
    # A committed lock file pins the provider: the mirror must hold that version.
    terraform -chdir="$dir" init -backend=false -lockfile=readonly -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
  else
    created_locks+=("$lock")
    terraform -chdir="$dir" init -backend=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
  fi
  terraform -chdir="$dir" validate -no-color
  if [ -d "$dir/tests" ]; then
    terraform -chdir="$dir" test -no-color
  fi
done
echo "tf-check: ${#dirs[@]} configurations valid and their tests pass"
