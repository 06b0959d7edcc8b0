variable "domain_name" {
  description = "Primary domain name of the certificate, e.g. shisha.toof.jp."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name."
  }
}

variable "subject_alternative_names" {
  description = "Additional names on the certificate, e.g. [\"api.shisha.toof.jp\"]."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for d in var.subject_alternative_names : can(regex("^(\\*\\.)?[a-z0-9][a-z0-9.-]*[a-z0-9]$", d))])
    error_message = "subject_alternative_names must be lowercase DNS names (a leading \"*.\" is allowed)."
  }
}

variable "wait_for_validation" {
  description = "Wait until ACM reports the certificate ISSUED. Needs the DNS validation records in place (the route53 module creates them; otherwise create the records from the validation_records output by hand)."
  type        = bool
  default     = true
}

variable "validation_record_fqdns" {
  description = "FQDNs of the DNS validation records (route53 module output validation_record_fqdns). Empty when the records are created outside Terraform."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to the certificate."
  type        = map(string)
  default     = {}
}
