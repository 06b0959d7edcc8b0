variable "zone_name" {
  description = "Name of the existing public Route 53 hosted zone, e.g. toof.jp."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]\\.?$", var.zone_name))
    error_message = "zone_name must be a lowercase DNS name."
  }
}

variable "site_names" {
  description = "Names that get A and AAAA alias records to the CloudFront distribution, e.g. [\"shisha.toof.jp\"]."
  type        = list(string)

  validation {
    condition     = length(var.site_names) > 0
    error_message = "site_names must hold at least one name."
  }
}

variable "cloudfront_domain_name" {
  description = "The distribution's *.cloudfront.net domain name (frontend-cloudfront output distribution_domain_name)."
  type        = string
}

variable "cloudfront_hosted_zone_id" {
  description = "Hosted zone ID for aliases to CloudFront (frontend-cloudfront output distribution_hosted_zone_id)."
  type        = string
}

variable "certificate_domain_names" {
  description = "Names on the ACM certificate (acm output domain_names); static so they can key the validation records."
  type        = list(string)
  default     = []
}

variable "certificate_validation_records" {
  description = "ACM validation records (acm output validation_records)."
  type = list(object({
    domain_name = string
    name        = string
    type        = string
    value       = string
  }))
  default = []
}

variable "api_cname" {
  description = "Optional API subdomain (the non-default layout): a CNAME such as api.shisha.toof.jp to the Lightsail service's public domain. The container service also needs that custom domain and a Lightsail certificate."
  type = object({
    name   = string
    target = string
  })
  default = null
}

variable "ttl" {
  description = "TTL (seconds) of the validation and CNAME records."
  type        = number
  default     = 300

  validation {
    condition     = var.ttl >= 60
    error_message = "ttl must be at least 60 seconds."
  }
}
