# SPA hosting: a private S3 bucket read only by CloudFront (origin access control), one distribution that serves
# the SPA from S3 and routes the API path to the Lightsail container service on the same domain.

locals {
  name          = replace(var.bucket_name, ".", "-")
  s3_origin_id  = "spa-s3"
  api_origin_id = "api-lightsail"
  api_prefix    = trimsuffix(var.api_path_pattern, "/*")
  releases_glob = "${var.releases_prefix}*"
}

# --- S3 bucket (private, encrypted, TLS only: the private-bucket module) ---------------------------------------

module "bucket" {
  source = "../private-bucket"

  bucket_name      = var.bucket_name
  force_destroy    = var.force_destroy
  tags             = var.tags
  policy_documents = [data.aws_iam_policy_document.cloudfront_access.json]
}

resource "aws_s3_bucket_versioning" "spa" {
  bucket = module.bucket.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "spa" {
  bucket = module.bucket.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.spa]
}

data "aws_iam_policy_document" "cloudfront_access" {
  # CloudFront (this distribution only) may read objects and list the bucket, so a missing file answers 404
  # (without ListBucket S3 answers 403 for a missing key). The distribution never asks for the bucket root: "/" is
  # the default root object and the SPA function's index.html.
  statement {
    sid       = "AllowCloudFrontRead"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["${module.bucket.arn}/*", module.bucket.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }

  # ...except the deploy action's release manifests, which are never served.
  statement {
    sid       = "DenyCloudFrontReleaseManifests"
    effect    = "Deny"
    actions   = ["s3:GetObject"]
    resources = ["${module.bucket.arn}/${local.releases_glob}"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
  }
}

# The bucket and its private, encrypted, TLS-only settings were written here before the private-bucket module: an
# existing state keeps its resources (the bucket policy now holds the CloudFront statements and the TLS Deny).
moved {
  from = aws_s3_bucket.spa
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.spa
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.spa
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.spa
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.spa
  to   = module.bucket.aws_s3_bucket_policy.this
}

# --- CloudFront ---------------------------------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "spa" {
  name                              = "${local.name}-oac"
  description                       = "Signed (SigV4) reads of ${var.bucket_name} by CloudFront"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# Honours the origin's Cache-Control, which the deploy action sets per file: hashed assets
# "public, max-age=31536000, immutable" (1 year), HTML "public, max-age=0, s-maxage=86400, must-revalidate" (1 day).
resource "aws_cloudfront_cache_policy" "spa" {
  name        = "${local.name}-spa"
  comment     = "SPA: origin Cache-Control decides (assets 1 year, HTML 1 day)"
  min_ttl     = var.cache_min_ttl
  default_ttl = var.cache_default_ttl
  max_ttl     = var.cache_max_ttl

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

data "aws_cloudfront_cache_policy" "caching_disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer_except_host_header" {
  name = "Managed-AllViewerExceptHostHeader"
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name    = "${local.name}-security-headers"
  comment = "HSTS, nosniff, frame denial, referrer policy"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = var.hsts_max_age_seconds
      include_subdomains         = true
      preload                    = false
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }

    dynamic "content_security_policy" {
      for_each = var.content_security_policy == null ? [] : [var.content_security_policy]

      content {
        content_security_policy = content_security_policy.value
        override                = true
      }
    }
  }
}

# Client-side routes (no file extension in the last path segment) get the app shell; files keep their real
# status. On the default (S3) behaviour only, so /api/* never reaches it. The code is functions/spa-routing.js as
# it is: the tests and the local edge run the same file.
resource "aws_cloudfront_function" "spa_routing" {
  name    = "${local.name}-spa-routing"
  runtime = "cloudfront-js-2.0"
  comment = "Rewrites client-side routes (paths without a file extension) to /index.html"
  publish = true
  code    = file("${path.module}/functions/spa-routing.js")
}

# Optional: "/api/v1/x" reaches the container as "/v1/x" (functions/strip-api-prefix.js, prefix filled in).
resource "aws_cloudfront_function" "strip_api_prefix" {
  count = var.strip_api_prefix ? 1 : 0

  name    = "${local.name}-strip-api-prefix"
  runtime = "cloudfront-js-2.0"
  comment = "Removes ${local.api_prefix} from the request path before it reaches the API origin"
  publish = true
  code    = templatefile("${path.module}/functions/strip-api-prefix.js", { prefix = local.api_prefix })
}

resource "aws_cloudfront_distribution" "this" {
  enabled             = true
  comment             = "Shisha Log SPA (${join(", ", var.domain_names)}) with ${var.api_path_pattern} to Lightsail"
  aliases             = var.domain_names
  default_root_object = "index.html"
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  price_class         = var.price_class
  web_acl_id          = var.web_acl_id
  tags                = var.tags

  origin {
    origin_id                = local.s3_origin_id
    domain_name              = module.bucket.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.spa.id
  }

  origin {
    origin_id   = local.api_origin_id
    domain_name = var.api_origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # SPA from S3; the cache policy honours the per-file Cache-Control.
  default_cache_behavior {
    target_origin_id           = local.s3_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.spa.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.spa_routing.arn
    }
  }

  # API: never cached, every viewer header but Host forwarded (the origin needs its own Host for TLS/SNI).
  ordered_cache_behavior {
    path_pattern               = var.api_path_pattern
    target_origin_id           = local.api_origin_id
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_disabled.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer_except_host_header.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id

    dynamic "function_association" {
      for_each = aws_cloudfront_function.strip_api_prefix

      content {
        event_type   = "viewer-request"
        function_arn = function_association.value.arn
      }
    }
  }

  # A short, cacheable 404 page for missing files. CloudFront error pages are distribution-wide: with it, a 404
  # from /api/* keeps its status but its body becomes this page too (not_found_page_path = null keeps API bodies).
  # 403 is never mapped, so API 403s and denied keys (release manifests) pass through as they are.
  dynamic "custom_error_response" {
    for_each = var.not_found_page_path == null ? [] : [var.not_found_page_path]

    content {
      error_code            = 404
      response_code         = 404
      response_page_path    = custom_error_response.value
      error_caching_min_ttl = var.not_found_caching_seconds
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.acm_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}
