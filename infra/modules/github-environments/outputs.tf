output "production_environment" {
  description = "Name of the production environment."
  value       = github_repository_environment.production.environment
}

output "deploy_environments" {
  description = "Names of the main-only deploy environments without reviewers."
  value       = [for e in github_repository_environment.deploy : e.environment]
}

output "backup_environment" {
  description = "Name of the backup environment."
  value       = github_repository_environment.backup.environment
}

output "secret_names" {
  description = "Environment secrets managed here, as <environment>/<name>."
  value       = sort(tolist(local.secrets))
}
