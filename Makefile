# The seed's targets, each one line over the `shisha-ops` CLI (the same core as the GitHub Actions).
# Nothing here names a deployment: pass your own values on the command line or in the environment, e.g.
#   make deploy-frontend BUCKET=$(terraform -chdir=infra/envs/prod output -raw frontend_bucket) \
#        DISTRIBUTION_ID=$(terraform -chdir=infra/envs/prod output -raw distribution_id) API_BASE_URL=https://example.com/api/v1
# AWS credentials and region come from the usual AWS variables or profile; DATABASE_URL and TARGET_URL are read from
# the environment (never put them on a command line).

CLI             := node bin/shisha-ops.js
FRONTEND_DIR    ?= example/frontend
SOURCE_DIR      ?= $(FRONTEND_DIR)/dist
BACKEND_DIR     ?= example/backend
IMAGE_TAG       ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
ENVIRONMENT     ?= prod
KEY             ?=
OUT             ?= .

# What each variable is and how to give it, for the error that names it.
about_BUCKET        := the S3 bucket CloudFront serves: BUCKET=<name> (terraform output frontend_bucket)
about_API_BASE_URL  := the API base URL the SPA is built with: API_BASE_URL=https://<your domain>/api/v1
about_SERVICE_NAME  := the Lightsail container service: SERVICE_NAME=<name> (terraform output service_name)
about_IMAGE_REPO    := the image repository to push to: IMAGE_REPO=<uri> (terraform output ecr_repository_uri)
about_BACKUP_BUCKET := the S3 bucket of the backups: BACKUP_BUCKET=<name> (terraform output backup_bucket)
about_PROJECT       := the project part of the backup names: PROJECT=<my-app>
about_SCRATCH_URL   := a scratch database to restore into: SCRATCH_URL=postgresql://...
about_DATABASE_URL  := the database to back up: export DATABASE_URL=postgresql://... (not on the command line)
about_TARGET_URL    := the database to restore into: export TARGET_URL=postgresql://... (not on the command line)

# Required variables per target, checked when make reads this file: before any target (or its build) runs.
need = $(if $(filter $1,$(MAKECMDGOALS)),$(foreach v,$2,$(if $(strip $($v)),,$(error make $1: $v is required, $(about_$v)))))
$(call need,build-frontend,API_BASE_URL)
$(call need,deploy-frontend,BUCKET API_BASE_URL)
$(call need,deploy-backend,SERVICE_NAME IMAGE_REPO)
$(call need,backup-test,BACKUP_BUCKET PROJECT SCRATCH_URL DATABASE_URL)
$(call need,backup-list,BACKUP_BUCKET)
$(call need,backup-download,BACKUP_BUCKET)
$(call need,restore,BACKUP_BUCKET TARGET_URL)

.PHONY: help build-frontend deploy-frontend deploy-backend backup-test backup-trigger backup-list backup-download restore

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build-frontend: ## Build the SPA (FRONTEND_DIR, default example/frontend) with API_BASE_URL
	VITE_API_BASE_URL="$(API_BASE_URL)" npx vite build "$(FRONTEND_DIR)"

deploy-frontend: build-frontend ## Build, then deploy the SPA: BUCKET, API_BASE_URL, DISTRIBUTION_ID (optional)
	$(CLI) frontend deploy --source-dir "$(SOURCE_DIR)" --bucket "$(BUCKET)" --distribution-id "$(DISTRIBUTION_ID)"

deploy-backend: ## Build and push the API image (linux/amd64), then deploy it by digest: SERVICE_NAME, IMAGE_REPO
	docker buildx build --platform linux/amd64 --push -t "$(IMAGE_REPO):$(IMAGE_TAG)" --metadata-file .image.json "$(BACKEND_DIR)" && $(CLI) backend deploy --service-name "$(SERVICE_NAME)" --image "$(IMAGE_REPO)@$$(node -p 'require("./.image.json")["containerimage.digest"]')" --environment "$$API_ENVIRONMENT"

backup-test: ## Back up $DATABASE_URL, restore into SCRATCH_URL and compare row counts: BACKUP_BUCKET, PROJECT
	$(CLI) backup test --bucket "$(BACKUP_BUCKET)" --project "$(PROJECT)" --environment "$(ENVIRONMENT)" --target-url "$(SCRATCH_URL)" --yes

backup-trigger: ## Run the backup workflow on GitHub now (workflow_dispatch)
	gh workflow run backup.yml --ref main && gh run list --workflow backup.yml --limit 1

backup-list: ## List the backups, newest first: BACKUP_BUCKET
	$(CLI) backup list --bucket "$(BACKUP_BUCKET)"

backup-download: ## Download a backup (KEY, default the newest) into OUT, checksum-checked: BACKUP_BUCKET
	$(CLI) backup download --bucket "$(BACKUP_BUCKET)" --key "$(KEY)" --output "$(OUT)"

restore: ## Restore a backup (KEY, default the newest) into $TARGET_URL (asks first): BACKUP_BUCKET
	$(CLI) backup restore --bucket "$(BACKUP_BUCKET)" --key "$(KEY)" --target-url "$$TARGET_URL"
