variable "github_repository" {
  description = "The repository whose workflows may assume the roles, as \"owner/name\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be \"owner/name\"."
  }
}

variable "name_prefix" {
  description = "Prefix of the role names, e.g. shisha-log-prod (roles become <prefix>-frontend-deploy and so on)."
  type        = string
  default     = "shisha-log-prod"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 1-40 characters valid in IAM role names."
  }
}

variable "production_environment" {
  description = "GitHub environment with required reviewers: the deploy workflow's infra job runs in it (one approval per deploy). Its tokens alone may assume the infra apply role (sub repo:<owner/name>:environment:<this>)."
  type        = string
  default     = "production"

  validation {
    condition     = length(var.production_environment) > 0
    error_message = "production_environment must not be empty."
  }
}

variable "frontend_environment" {
  description = "GitHub environment of the deploy-frontend job (main only, no reviewers: it runs after the approved infra job). Its tokens alone may assume the frontend deploy role."
  type        = string
  default     = "production-frontend"

  validation {
    condition     = length(var.frontend_environment) > 0
    error_message = "frontend_environment must not be empty."
  }
}

variable "backend_environment" {
  description = "GitHub environment of the deploy-backend job (main only, no reviewers: it runs after the approved infra job). Its tokens alone may assume the backend deploy role."
  type        = string
  default     = "production-backend"

  validation {
    condition     = length(var.backend_environment) > 0
    error_message = "backend_environment must not be empty."
  }
}

variable "backup_environment" {
  description = "GitHub environment of the scheduled backup job (no reviewers, so the cron never waits)."
  type        = string
  default     = "backup"

  validation {
    condition     = length(var.backup_environment) > 0
    error_message = "backup_environment must not be empty."
  }
}

variable "plan_branch" {
  description = "Branch whose pushes may also use the read-only plan role (besides pull requests)."
  type        = string
  default     = "main"

  validation {
    condition     = length(var.plan_branch) > 0
    error_message = "plan_branch must not be empty."
  }
}

variable "create_oidc_provider" {
  description = "Create the token.actions.githubusercontent.com OIDC provider. Set false when the account already has one (it is looked up instead)."
  type        = bool
  default     = true
}

variable "frontend_bucket_arn" {
  description = "ARN of the SPA bucket (frontend-cloudfront output bucket_arn)."
  type        = string

  validation {
    condition     = startswith(var.frontend_bucket_arn, "arn:aws:s3:::")
    error_message = "frontend_bucket_arn must be an S3 bucket ARN."
  }
}

variable "distribution_arn" {
  description = "ARN of the CloudFront distribution (frontend-cloudfront output distribution_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:cloudfront::[0-9]{12}:distribution/", var.distribution_arn))
    error_message = "distribution_arn must be a CloudFront distribution ARN."
  }
}

variable "lightsail_service_arn" {
  description = "ARN of the Lightsail container service (lightsail output service_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:lightsail:", var.lightsail_service_arn))
    error_message = "lightsail_service_arn must be a Lightsail ARN."
  }
}

variable "lightsail_region" {
  description = "Region of the Lightsail container service; the backend role's read-only Lightsail calls are limited to it."
  type        = string
  default     = "ap-northeast-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.lightsail_region))
    error_message = "lightsail_region must be an AWS region name."
  }
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR Public repository the backend image is pushed to (lightsail output ecr_repository_arn). Null grants no push."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_repository_arn == null || can(regex("^arn:aws:ecr-public::[0-9]{12}:repository/", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be an ECR Public repository ARN."
  }
}

variable "backup_bucket_arn" {
  description = "ARN of the database backup bucket (backup output bucket_arn)."
  type        = string

  validation {
    condition     = startswith(var.backup_bucket_arn, "arn:aws:s3:::")
    error_message = "backup_bucket_arn must be an S3 bucket ARN."
  }
}

variable "backup_prefix" {
  description = "Key prefix the backup role may write and read under (backup output backup_prefix)."
  type        = string
  default     = "backups/"

  validation {
    condition     = endswith(var.backup_prefix, "/")
    error_message = "backup_prefix must end with \"/\"."
  }
}

variable "state_bucket" {
  description = "Name of the S3 bucket holding the Terraform state (read by the plan role, read/written by the apply role)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "state_key" {
  description = "Key of the Terraform state object in state_bucket (the lock file is <key>.tflock)."
  type        = string
  default     = "prod/terraform.tfstate"

  validation {
    condition     = length(var.state_key) > 0 && !startswith(var.state_key, "/")
    error_message = "state_key must be a non-empty key without a leading \"/\"."
  }
}

variable "create_infra_apply_role" {
  description = "Create the role the deploy workflow's infra job uses to apply this configuration (production environment only)."
  type        = bool
  default     = true
}

variable "route53_zone_id" {
  description = "Hosted zone whose records the apply role may change. Null when DNS is not in Route 53."
  type        = string
  default     = null
}

variable "max_session_duration" {
  description = "Maximum session duration (seconds) of the roles."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}
