variable "bucket_name" {
  description = "Name of the database backup bucket, e.g. shisha-log-prod-db-backups."
  type        = string
  default     = "shisha-log-prod-db-backups"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "backup_prefix" {
  description = "Key prefix the db-backup action writes under (its `prefix` input followed by \"/\"). The retention rule applies to it only."
  type        = string
  default     = "backups/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.backup_prefix))
    error_message = "backup_prefix must be a key prefix ending with \"/\", e.g. \"backups/\"."
  }
}

variable "retention_days" {
  description = "Days after which backups under backup_prefix expire (and after which their noncurrent versions are removed)."
  type        = number
  default     = 30

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 3650 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number between 1 and 3650."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty backup bucket. Keep false in production."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}
