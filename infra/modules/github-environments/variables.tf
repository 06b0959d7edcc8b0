variable "repository" {
  description = "Name of the repository (without the owner; the provider's owner is used)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.repository))
    error_message = "repository must be the bare repository name, without \"owner/\"."
  }
}

variable "production_environment" {
  description = "Name of the environment that gates deploys."
  type        = string
  default     = "production"

  validation {
    condition     = length(var.production_environment) > 0
    error_message = "production_environment must not be empty."
  }
}

variable "deploy_environments" {
  description = "Environments of the deploy jobs that run after the approved production job: main only, no reviewers (a second approval per deploy is what they avoid). Each one's tokens alone may assume its deploy role."
  type        = list(string)
  default     = ["production-frontend", "production-backend"]

  validation {
    condition     = alltrue([for e in var.deploy_environments : length(e) > 0])
    error_message = "deploy_environments must not hold empty names."
  }
}

variable "backup_environment" {
  description = "Name of the environment of the scheduled backup (no reviewers, so the cron never waits)."
  type        = string
  default     = "backup"

  validation {
    condition     = length(var.backup_environment) > 0
    error_message = "backup_environment must not be empty."
  }
}

variable "production_branch" {
  description = "The only branch allowed to deploy to the production environment."
  type        = string
  default     = "main"

  validation {
    condition     = length(var.production_branch) > 0
    error_message = "production_branch must not be empty."
  }
}

variable "backup_branch" {
  description = "The only branch allowed to run jobs in the backup environment (scheduled workflows run on the default branch)."
  type        = string
  default     = "main"

  validation {
    condition     = length(var.backup_branch) > 0
    error_message = "backup_branch must not be empty."
  }
}

variable "reviewer_usernames" {
  description = "GitHub users who must approve production deployments (up to 6 reviewers in total)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.reviewer_usernames) <= 6
    error_message = "GitHub allows at most 6 required reviewers."
  }
}

variable "reviewer_team_slugs" {
  description = "Teams (slugs in the provider's organization) who may approve production deployments."
  type        = list(string)
  default     = []
}

variable "prevent_self_review" {
  description = "Forbid the person who triggered a deployment from approving it."
  type        = bool
  default     = false
}

variable "production_wait_timer" {
  description = "Minutes to wait before a production deployment may proceed (after approval)."
  type        = number
  default     = 0

  validation {
    condition     = var.production_wait_timer >= 0 && var.production_wait_timer <= 43200
    error_message = "production_wait_timer must be between 0 and 43200 minutes."
  }
}

variable "environment_secrets" {
  description = "Optional Actions secrets per environment, e.g. { production = { AWS_INFRA_ROLE_ARN = \"arn:...\" }, backup = { AWS_BACKUP_ROLE_ARN = \"arn:...\" } }. Keys must be the production, deploy or backup environment names (API_DATABASE_URL and SUPABASE_JWT_SECRET belong to production-backend). Values end up in the Terraform state."
  type        = map(map(string))
  default     = {}
  sensitive   = true
}
