output "production_environment" {
  description = "Name of the production environment."
  value       = github_repository_environment.production.environment
}

output "backup_environment" {
  description = "Name of the backup environment."
  value       = github_repository_environment.backup.environment
}

output "secret_names" {
  description = "Environment secrets managed here, as <environment>/<name>."
  value       = sort(tolist(local.secrets))
}
