# A private S3 bucket: all public access blocked, ACLs disabled (bucket owner enforced), SSE-S3 default encryption,
# and a bucket policy that denies every request without TLS, merged with the caller's own statements. Versioning
# and lifecycle rules differ per bucket and stay with the caller.

data "aws_partition" "current" {}

locals {
  # The bucket's ARN from its name (the form is fixed), so the policy is rendered at plan time and shows in the plan.
  arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
}

resource "aws_s3_bucket" "this" {
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "deny_insecure_transport" {
  # Every request must use TLS. A wildcard in a Deny only restricts; it is the form AWS Config
  # (s3-bucket-ssl-requests-only) and Security Hub (S3.5) check for.
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.arn, "${local.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# The caller's statements first, then the TLS rule (statement ids must be unique across the documents).
data "aws_iam_policy_document" "this" {
  source_policy_documents = concat(var.policy_documents, [data.aws_iam_policy_document.deny_insecure_transport.json])
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
