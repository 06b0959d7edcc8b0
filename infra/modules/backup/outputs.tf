output "bucket_name" {
  description = "Name of the backup bucket (input bucket of the db-backup action)."
  value       = module.bucket.id
}

output "bucket_arn" {
  description = "ARN of the backup bucket (scope of the backup role's permissions)."
  value       = module.bucket.arn
}

output "backup_prefix" {
  description = "Key prefix covered by the retention rule."
  value       = var.backup_prefix
}

output "retention_days" {
  description = "Days a backup is kept."
  value       = var.retention_days
}
