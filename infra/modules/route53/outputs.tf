output "zone_id" {
  description = "ID of the hosted zone."
  value       = data.aws_route53_zone.this.zone_id
}

output "site_fqdns" {
  description = "FQDNs of the alias records pointing at CloudFront."
  value       = distinct([for r in aws_route53_record.site : r.fqdn])
}

output "validation_record_fqdns" {
  description = "FQDNs of the ACM validation records (input validation_record_fqdns of the acm module)."
  value       = [for r in aws_route53_record.validation : r.fqdn]
}
