#!/usr/bin/env bash
# terraform fmt -check over infra/ (only formatting: provider downloads are not needed).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d infra ] || exit 0
if ! command -v terraform >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then echo "terraform is not on PATH: install Terraform >= 1.5 to check infra/ formatting"; exit 1; fi
  echo "terraform not found: skipping the infra/ format check"; exit 0
fi
terraform fmt -check -recursive -diff infra
echo "terraform fmt: infra/ is formatted"
