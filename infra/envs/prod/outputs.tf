# The deploy workflow reads these with `terraform output -raw <name>`.

output "frontend_bucket" {
  description = "SPA bucket (deploy-frontend input bucket)."
  value       = module.frontend.bucket_name
}

output "distribution_id" {
  description = "CloudFront distribution ID (deploy-frontend input distribution-id)."
  value       = module.frontend.distribution_id
}

output "distribution_domain_name" {
  description = "The distribution's *.cloudfront.net name (target of the site's DNS records when manage_dns is false)."
  value       = module.frontend.distribution_domain_name
}

output "site_url" {
  description = "Public URL of the app."
  value       = module.frontend.site_url
}

output "api_url" {
  description = "Public base URL of the API through CloudFront (VITE_API_BASE_URL is this plus /v1)."
  value       = "${module.frontend.site_url}/api"
}

output "service_name" {
  description = "Lightsail container service (deploy-backend input service-name)."
  value       = module.lightsail.service_name
}

output "lightsail_url" {
  description = "The container service's own public endpoint (the CloudFront /api/* origin)."
  value       = module.lightsail.url
}

output "ecr_repository_uri" {
  description = "ECR Public repository of the API image."
  value       = module.lightsail.ecr_repository_uri
}

output "backup_bucket" {
  description = "Database backup bucket (db-backup input bucket)."
  value       = module.backup.bucket_name
}

output "frontend_deploy_role_arn" {
  description = "Role of the deploy-frontend job."
  value       = module.github_oidc.frontend_deploy_role_arn
}

output "backend_deploy_role_arn" {
  description = "Role of the deploy-backend job."
  value       = module.github_oidc.backend_deploy_role_arn
}

output "backup_role_arn" {
  description = "Role of the backup job (secret AWS_BACKUP_ROLE_ARN of the backup environment)."
  value       = module.github_oidc.backup_role_arn
}

output "infra_plan_role_arn" {
  description = "Read-only role of the infra-plan workflow (secret AWS_PLAN_ROLE_ARN)."
  value       = module.github_oidc.infra_plan_role_arn
}

output "infra_apply_role_arn" {
  description = "Role of the deploy workflow's infra job (secret AWS_INFRA_ROLE_ARN of the production environment)."
  value       = module.github_oidc.infra_apply_role_arn
}

output "certificate_validation_records" {
  description = "DNS records that validate the certificate (create them by hand when manage_dns is false)."
  value       = module.acm.validation_records
}
