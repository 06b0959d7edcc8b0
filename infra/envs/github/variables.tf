variable "github_owner" {
  description = "Owner (user or organization) of the repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+$", var.github_owner))
    error_message = "github_owner must be a GitHub user or organization name."
  }
}

variable "repository" {
  description = "Name of the repository (without the owner)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.repository))
    error_message = "repository must be the bare repository name."
  }
}

variable "reviewer_usernames" {
  description = "Users who must approve production deployments."
  type        = list(string)

  validation {
    condition     = length(var.reviewer_usernames) >= 1 && length(var.reviewer_usernames) <= 6
    error_message = "Give between 1 and 6 reviewers for the production environment."
  }
}

variable "environment_secrets" {
  description = "Role ARNs from envs/prod outputs as environment secrets, e.g. { production = { AWS_INFRA_ROLE_ARN = \"...\" }, backup = { AWS_BACKUP_ROLE_ARN = \"...\" } }."
  type        = map(map(string))
  default     = {}
  sensitive   = true
}
