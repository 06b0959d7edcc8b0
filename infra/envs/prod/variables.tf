variable "region" {
  description = "Region of the S3 buckets and the Lightsail container service."
  type        = string
  default     = "ap-northeast-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as ap-northeast-1."
  }
}

variable "github_repository" {
  description = "Repository whose workflows assume the pipeline roles, as \"owner/name\". In workflows set TF_VAR_github_repository: $${{ github.repository }}."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be \"owner/name\"."
  }
}

variable "domain_name" {
  description = "Public domain of the app: the SPA and, under /api/*, the API."
  type        = string
  default     = "shisha.toof.jp"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name."
  }
}

variable "manage_dns" {
  description = "Create the alias and certificate validation records in the Route 53 zone hosted_zone_name. When false, create them by hand from the outputs certificate_validation_records and distribution_domain_name."
  type        = bool
  default     = true
}

variable "hosted_zone_name" {
  description = "Route 53 public hosted zone that holds domain_name (used when manage_dns is true)."
  type        = string
  default     = "toof.jp"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.hosted_zone_name))
    error_message = "hosted_zone_name must be a lowercase DNS name."
  }
}

variable "frontend_bucket_name" {
  description = "Name of the SPA bucket."
  type        = string
  default     = "shisha-log-prod-frontend"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.frontend_bucket_name))
    error_message = "frontend_bucket_name must be a valid S3 bucket name."
  }
}

variable "backup_bucket_name" {
  description = "Name of the database backup bucket."
  type        = string
  default     = "shisha-log-prod-db-backups"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.backup_bucket_name))
    error_message = "backup_bucket_name must be a valid S3 bucket name."
  }
}

variable "backup_retention_days" {
  description = "Days a database backup is kept."
  type        = number
  default     = 30

  validation {
    condition     = var.backup_retention_days >= 1
    error_message = "backup_retention_days must be at least 1."
  }
}

variable "service_name" {
  description = "Name of the Lightsail container service."
  type        = string
  default     = "shisha-log-api"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.service_name))
    error_message = "service_name must be lowercase letters, digits and hyphens."
  }
}

variable "lightsail_power" {
  description = "Power of the container service nodes (nano, micro, small, medium, large, xlarge)."
  type        = string
  default     = "micro"

  validation {
    condition     = contains(["nano", "micro", "small", "medium", "large", "xlarge"], var.lightsail_power)
    error_message = "lightsail_power must be one of nano, micro, small, medium, large, xlarge."
  }
}

variable "lightsail_scale" {
  description = "Number of container service nodes."
  type        = number
  default     = 1

  validation {
    condition     = var.lightsail_scale >= 1 && var.lightsail_scale <= 20
    error_message = "lightsail_scale must be between 1 and 20."
  }
}

variable "ecr_repository_name" {
  description = "ECR Public repository of the API image."
  type        = string
  default     = "shisha-log-api"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", var.ecr_repository_name))
    error_message = "ecr_repository_name must be a valid repository name."
  }
}

variable "strip_api_prefix" {
  description = "Strip /api before requests reach the container (true: the API serves /v1/...; false: it serves /api/v1/...)."
  type        = bool
  default     = false
}

variable "create_oidc_provider" {
  description = "Create the GitHub OIDC provider (false when the account already has one)."
  type        = bool
  default     = true
}

variable "state_bucket" {
  description = "State bucket named in the backend block (the plan and apply roles are granted access to it)."
  type        = string
  default     = "shisha-log-prod-tfstate"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "state_key" {
  description = "State key named in the backend block."
  type        = string
  default     = "prod/terraform.tfstate"

  validation {
    condition     = length(var.state_key) > 0
    error_message = "state_key must not be empty."
  }
}
