# The bucket as Terraform plans it, with the bucket policy rendered by the real AWS provider (no AWS call: credential
# checks are skipped).
#   cd infra/modules/private-bucket && terraform init && terraform test

provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  bucket_name = "example-private"
}

run "private_encrypted_and_tls_only" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "example-private" && aws_s3_bucket.this.force_destroy == false
    error_message = "the given name, and destroy never empties the bucket"
  }

  assert {
    condition = [
      aws_s3_bucket_public_access_block.this.block_public_acls, aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls, aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ] == [true, true, true, true]
    error_message = "all public access is blocked"
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled (bucket owner enforced)"
  }

  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm] == ["AES256"]
    error_message = "objects are encrypted with SSE-S3 by default"
  }

  assert {
    condition = [for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement : s] == [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Action    = "s3:*"
      Principal = "*"
      Resource  = ["arn:aws:s3:::example-private/*", "arn:aws:s3:::example-private"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
    error_message = "without further documents the policy is the TLS-only Deny on the bucket and its objects"
  }
}

run "further_statements_are_merged" {
  command = plan

  variables {
    policy_documents = [jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "AllowReader"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::example-private/*"
      }]
    })]
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement : [s.Sid, s.Effect]] == [["AllowReader", "Allow"], ["DenyInsecureTransport", "Deny"]]
    error_message = "the caller's statements are kept, and the TLS-only Deny is added"
  }
}
