# The CloudFront certificate. CloudFront only uses certificates from us-east-1, so the caller passes an aws
# provider configured for us-east-1: `providers = { aws = aws.us_east_1 }`. The precondition below refuses any other.

data "aws_region" "current" {}

resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = var.subject_alternative_names
  validation_method         = "DNS"
  key_algorithm             = "RSA_2048"
  tags                      = var.tags

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = data.aws_region.current.name == "us-east-1"
      error_message = "The acm module must use an aws provider in us-east-1 (CloudFront only accepts certificates from us-east-1): pass providers = { aws = aws.us_east_1 }."
    }
  }
}

resource "aws_acm_certificate_validation" "this" {
  count = var.wait_for_validation ? 1 : 0

  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = length(var.validation_record_fqdns) > 0 ? var.validation_record_fqdns : null

  timeouts {
    create = "45m"
  }
}
