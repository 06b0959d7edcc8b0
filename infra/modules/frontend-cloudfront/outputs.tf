output "bucket_name" {
  description = "Name of the SPA bucket (input bucket of the deploy-frontend action)."
  value       = module.bucket.id
}

output "bucket_arn" {
  description = "ARN of the SPA bucket."
  value       = module.bucket.arn
}

output "distribution_id" {
  description = "CloudFront distribution ID (input distribution-id of the deploy-frontend action)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "CloudFront distribution ARN (scope of the deploy role's invalidation permission)."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "The distribution's *.cloudfront.net domain name (target of the DNS alias records)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route 53 hosted zone ID to use in alias records pointing at the distribution."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}

output "site_url" {
  description = "HTTPS URL of the site on its first domain name."
  value       = "https://${var.domain_names[0]}"
}
