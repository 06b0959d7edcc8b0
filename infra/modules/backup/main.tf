# Database backups: private, encrypted, TLS only (the private-bucket module), versioned, with a retention rule that
# replaces the seed's Lambda-side cleanup (the backup role therefore needs no delete permission).

module "bucket" {
  source = "../private-bucket"

  bucket_name   = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_versioning" "backups" {
  bucket = module.bucket.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = module.bucket.id

  rule {
    id     = "expire-backups"
    status = "Enabled"

    filter {
      prefix = var.backup_prefix
    }

    expiration {
      days = var.retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.retention_days
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

  depends_on = [aws_s3_bucket_versioning.backups]
}

# The bucket and its private, encrypted, TLS-only settings were written here before the private-bucket module: an
# existing state keeps its resources.
moved {
  from = aws_s3_bucket.backups
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.backups
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.backups
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.backups
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.backups
  to   = module.bucket.aws_s3_bucket_policy.this
}
