variable "bucket_name" {
  description = "Name of the private S3 bucket that holds the SPA build (and the deploy action's release manifests under releases_prefix)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "domain_names" {
  description = "Alternate domain names (CNAMEs) served by the distribution, e.g. [\"shisha.toof.jp\"]. They must be covered by acm_certificate_arn."
  type        = list(string)

  validation {
    condition     = length(var.domain_names) > 0 && alltrue([for d in var.domain_names : can(regex("^[a-z0-9*][a-z0-9.-]*[a-z0-9]$", d))])
    error_message = "domain_names must hold at least one lowercase DNS name."
  }
}

variable "acm_certificate_arn" {
  description = "ARN of the ACM certificate for domain_names. CloudFront only accepts certificates issued in us-east-1."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:acm:us-east-1:[0-9]{12}:certificate/", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1 (CloudFront requirement)."
  }
}

variable "api_origin_domain" {
  description = "Host name of the API origin: the Lightsail container service's public domain (lightsail module output public_domain), without scheme or path."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.api_origin_domain))
    error_message = "api_origin_domain must be a bare host name such as svc.abc123.ap-northeast-1.cs.amazonlightsail.com (no scheme, no path)."
  }
}

variable "api_path_pattern" {
  description = "Path pattern of the ordered cache behaviour that routes to the API origin."
  type        = string
  default     = "/api/*"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.-]+/\\*$", var.api_path_pattern))
    error_message = "api_path_pattern must look like \"/api/*\"."
  }
}

variable "strip_api_prefix" {
  description = "When true, a CloudFront Function removes the API prefix (\"/api/v1/x\" reaches the container as \"/v1/x\"). When false the API sees the full path."
  type        = bool
  default     = false
}

variable "not_found_page_path" {
  description = "Page served (status 404) for a missing file, e.g. /404.html from the SPA build. CloudFront error pages are distribution-wide, so an /api/* 404 keeps its status but gets this body too; null serves S3's own 404 and leaves API bodies untouched."
  type        = string
  default     = "/404.html"

  validation {
    condition     = var.not_found_page_path == null || can(regex("^/[A-Za-z0-9_./-]+\\.html$", var.not_found_page_path))
    error_message = "not_found_page_path must be null or an .html path such as /404.html."
  }
}

variable "not_found_caching_seconds" {
  description = "How long CloudFront caches a 404 before asking the origin again. It applies to every behaviour, /api/* included (an API 404 without Cache-Control: no-store is cached this long), so it stays at CloudFront's own default of 10 seconds."
  type        = number
  default     = 10

  validation {
    condition     = var.not_found_caching_seconds >= 0 && var.not_found_caching_seconds <= 300
    error_message = "not_found_caching_seconds must be between 0 and 300."
  }
}

variable "releases_prefix" {
  description = "Key prefix where the deploy-frontend action stores release manifests. CloudFront is denied reads under it, so it is never served."
  type        = string
  default     = "_releases/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/$", var.releases_prefix))
    error_message = "releases_prefix must be a single path segment ending with \"/\", e.g. \"_releases/\"."
  }
}

variable "price_class" {
  description = "CloudFront price class. PriceClass_200 includes Japan and the rest of Asia."
  type        = string
  default     = "PriceClass_200"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "cache_min_ttl" {
  description = "Minimum TTL (seconds) of the SPA cache policy. 0 lets the origin's Cache-Control (set per file by the deploy action) decide."
  type        = number
  default     = 0

  validation {
    condition     = var.cache_min_ttl >= 0
    error_message = "cache_min_ttl must be >= 0."
  }
}

variable "cache_default_ttl" {
  description = "TTL (seconds) used when an object carries no Cache-Control; one day, like HTML's s-maxage."
  type        = number
  default     = 86400

  validation {
    condition     = var.cache_default_ttl >= 0
    error_message = "cache_default_ttl must be >= 0."
  }
}

variable "cache_max_ttl" {
  description = "Maximum TTL (seconds) of the SPA cache policy; one year so immutable hashed assets stay cached."
  type        = number
  default     = 31536000

  validation {
    condition     = var.cache_max_ttl >= 31536000
    error_message = "cache_max_ttl must be at least 31536000 (one year) so hashed assets keep their immutable lifetime."
  }
}

variable "hsts_max_age_seconds" {
  description = "max-age of the Strict-Transport-Security header added to every response."
  type        = number
  default     = 63072000

  validation {
    condition     = var.hsts_max_age_seconds >= 31536000
    error_message = "hsts_max_age_seconds must be at least one year (31536000)."
  }
}

variable "content_security_policy" {
  description = "Optional Content-Security-Policy header value added to every response. Null adds none."
  type        = string
  default     = null
}

variable "web_acl_id" {
  description = "Optional AWS WAF web ACL (ARN, us-east-1 / global scope) to associate with the distribution."
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which replaced or deleted object versions in the SPA bucket are removed."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be >= 1."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty SPA bucket. Keep false in production."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}
