output "certificate_arn" {
  description = "ARN of the certificate; when wait_for_validation is true it is only known once the certificate is ISSUED, so CloudFront never gets a pending certificate."
  value       = var.wait_for_validation ? aws_acm_certificate_validation.this[0].certificate_arn : aws_acm_certificate.this.arn
}

output "domain_names" {
  description = "All names on the certificate (static, usable in for_each)."
  value       = distinct(concat([var.domain_name], var.subject_alternative_names))
}

output "validation_records" {
  description = "DNS records ACM needs to validate the certificate: name, type and value per domain."
  value = [
    for o in aws_acm_certificate.this.domain_validation_options : {
      domain_name = o.domain_name
      name        = o.resource_record_name
      type        = o.resource_record_type
      value       = o.resource_record_value
    }
  ]
}
