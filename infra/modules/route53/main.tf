# DNS in Route 53 (optional: use it when the zone is hosted there). Site aliases to CloudFront and the ACM
# validation records.

data "aws_route53_zone" "this" {
  name         = var.zone_name
  private_zone = false
}

locals {
  validation_by_domain = { for r in var.certificate_validation_records : r.domain_name => r }
  alias_records        = { for pair in setproduct(var.site_names, ["A", "AAAA"]) : "${pair[0]}/${pair[1]}" => { name = pair[0], type = pair[1] } }
}

resource "aws_route53_record" "site" {
  for_each = local.alias_records

  zone_id = data.aws_route53_zone.this.zone_id
  name    = each.value.name
  type    = each.value.type

  alias {
    name                   = var.cloudfront_domain_name
    zone_id                = var.cloudfront_hosted_zone_id
    evaluate_target_health = false
  }
}

# Keyed by the certificate's (static) names so the plan works before the certificate exists.
resource "aws_route53_record" "validation" {
  for_each = toset(var.certificate_domain_names)

  zone_id         = data.aws_route53_zone.this.zone_id
  name            = local.validation_by_domain[each.key].name
  type            = local.validation_by_domain[each.key].type
  records         = [local.validation_by_domain[each.key].value]
  ttl             = var.ttl
  allow_overwrite = true
}

resource "aws_route53_record" "api" {
  count = var.api_cname == null ? 0 : 1

  zone_id = data.aws_route53_zone.this.zone_id
  name    = var.api_cname.name
  type    = "CNAME"
  records = [var.api_cname.target]
  ttl     = var.ttl
}
