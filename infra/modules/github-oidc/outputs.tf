output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider."
  value       = local.oidc_arn
}

output "frontend_deploy_role_arn" {
  description = "Role for the deploy-frontend job (production environment)."
  value       = aws_iam_role.this["frontend_deploy"].arn
}

output "backend_deploy_role_arn" {
  description = "Role for the deploy-backend job (production environment)."
  value       = aws_iam_role.this["backend_deploy"].arn
}

output "backup_role_arn" {
  description = "Role for the scheduled backup job (backup environment)."
  value       = aws_iam_role.this["backup"].arn
}

output "infra_plan_role_arn" {
  description = "Read-only role for terraform plan on pull requests and main."
  value       = aws_iam_role.this["infra_plan"].arn
}

output "infra_apply_role_arn" {
  description = "Role for terraform apply in the deploy workflow (production environment), or null."
  value       = var.create_infra_apply_role ? aws_iam_role.this["infra_apply"].arn : null
}
