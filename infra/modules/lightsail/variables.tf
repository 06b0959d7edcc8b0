variable "service_name" {
  description = "Name of the Lightsail container service (input service-name of the deploy-backend action)."
  type        = string
  default     = "shisha-log-api"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.service_name))
    error_message = "service_name must be 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "power" {
  description = "Power (size) of each container service node."
  type        = string
  default     = "micro"

  validation {
    condition     = contains(["nano", "micro", "small", "medium", "large", "xlarge"], var.power)
    error_message = "power must be one of nano, micro, small, medium, large, xlarge."
  }
}

variable "scale" {
  description = "Number of container service nodes."
  type        = number
  default     = 1

  validation {
    condition     = var.scale >= 1 && var.scale <= 20 && floor(var.scale) == var.scale
    error_message = "scale must be a whole number between 1 and 20."
  }
}

variable "container_name" {
  description = "Name of the API container in deployments (input container-name of the deploy-backend action)."
  type        = string
  default     = "api"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.container_name))
    error_message = "container_name must be lowercase letters, digits and hyphens."
  }
}

variable "container_port" {
  description = "Port the API container listens on (input container-port of the deploy-backend action)."
  type        = number
  default     = 8080

  validation {
    condition     = var.container_port >= 1 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a port number between 1 and 65535."
  }
}

variable "health_check_path" {
  description = "Path of the public endpoint's health check (input health-check-path of the deploy-backend action)."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with \"/\"."
  }
}

variable "bootstrap_image" {
  description = "Image for a first deployment created by Terraform (e.g. a public image answering 200 on health_check_path). Null creates none: the deploy-backend action creates every deployment. Terraform never updates it afterwards."
  type        = string
  default     = null
}

variable "ecr_repository_name" {
  description = "Name of the ECR Public repository the backend image is pushed to. Null creates none."
  type        = string
  default     = "shisha-log-api"

  validation {
    condition     = var.ecr_repository_name == null || can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", var.ecr_repository_name))
    error_message = "ecr_repository_name must be a valid repository name (lowercase, digits, . _ - /)."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete the ECR Public repository while it still holds images."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}
