# The seed's targets, each one line over the `shisha-ops` CLI (the same core as the GitHub Actions).
# Set the variables on the command line or in the environment, e.g.
#   make deploy-frontend BUCKET=shisha-log-prod-frontend DISTRIBUTION_ID=E123ABC
# AWS credentials and region come from the usual AWS variables or profile; DATABASE_URL is read from the
# environment (never put it on a command line).

CLI             := node bin/shisha-ops.js
SOURCE_DIR      ?= example/frontend/dist
API_BASE_URL    ?= https://shisha.toof.jp/api/v1
SERVICE_NAME    ?= shisha-log-api
IMAGE_REPO      ?= public.ecr.aws/shisha-log/api
IMAGE_TAG       ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
BACKUP_BUCKET   ?= shisha-log-prod-db-backups
SCRATCH_URL     ?=
KEY             ?=
OUT             ?= .

.PHONY: help build-frontend deploy-frontend deploy-backend backup-test backup-trigger backup-list backup-download restore

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build-frontend: ## Build the example SPA into example/frontend/dist
	VITE_API_BASE_URL=$(API_BASE_URL) npx vite build example/frontend

deploy-frontend: build-frontend ## Deploy the SPA: BUCKET, DISTRIBUTION_ID
	$(CLI) frontend deploy --source-dir $(SOURCE_DIR) --bucket $(BUCKET) --distribution-id "$(DISTRIBUTION_ID)"

deploy-backend: ## Build and push the API image (linux/amd64), then deploy it by digest: SERVICE_NAME, IMAGE_REPO
	docker buildx build --platform linux/amd64 --push -t $(IMAGE_REPO):$(IMAGE_TAG) --metadata-file .image.json example/backend && $(CLI) backend deploy --service-name $(SERVICE_NAME) --image "$(IMAGE_REPO)@$$(node -p 'require("./.image.json")["containerimage.digest"]')" --environment "$$API_ENVIRONMENT"

backup-test: ## Back up DATABASE_URL (env), restore into SCRATCH_URL (a scratch database) and compare row counts
	$(CLI) backup test --bucket $(BACKUP_BUCKET) --target-url "$(SCRATCH_URL)" --yes

backup-trigger: ## Run the backup workflow on GitHub now (workflow_dispatch)
	gh workflow run backup.yml --ref main && gh run list --workflow backup.yml --limit 1

backup-list: ## List the backups, newest first
	$(CLI) backup list --bucket $(BACKUP_BUCKET)

backup-download: ## Download a backup (KEY, default the newest) into OUT, checksum-checked
	$(CLI) backup download --bucket $(BACKUP_BUCKET) --key "$(KEY)" --output $(OUT)

restore: ## Restore a backup (KEY, default the newest) into TARGET_URL (asks first)
	$(CLI) backup restore --bucket $(BACKUP_BUCKET) --key "$(KEY)" --target-url "$$TARGET_URL"
