# The GitHub side of the pipeline for this repository: environments production (reviewed, main only) and backup
# (no reviewers, so the weekly cron is never blocked).

module "environments" {
  source = "../../modules/github-environments"

  repository             = var.repository
  production_environment = "production"
  deploy_environments    = ["production-frontend", "production-backend"]
  backup_environment     = "backup"
  production_branch      = "main"
  backup_branch          = "main"
  reviewer_usernames     = var.reviewer_usernames
  environment_secrets    = var.environment_secrets
}
