output "id" {
  description = "Name of the bucket (the `bucket` argument of further aws_s3_bucket_* resources)."
  value       = aws_s3_bucket.this.bucket # the bucket's id, known at plan time

}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket (a CloudFront S3 origin)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "policy" {
  description = "The bucket policy as applied (the caller's statements and the TLS-only Deny)."
  value       = aws_s3_bucket_policy.this.policy
}
