output "production_environment" {
  description = "Environment of the deploy jobs."
  value       = module.environments.production_environment
}

output "backup_environment" {
  description = "Environment of the backup job."
  value       = module.environments.backup_environment
}
