# The backup bucket as Terraform plans it (mocked provider, no AWS account). Its private, encrypted, TLS-only
# settings are the private-bucket module's, tested there (infra/modules/private-bucket/tests).
#   cd infra/modules/backup && terraform init && terraform test

mock_provider "aws" {
  # The private-bucket module merges policy documents: a mocked one must still be a JSON policy.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

run "defaults" {
  command = plan

  assert {
    condition     = output.bucket_name == "shisha-log-prod-db-backups" && aws_s3_bucket_versioning.backups.bucket == "shisha-log-prod-db-backups" && var.force_destroy == false
    error_message = "the seed-style name, its versioning on that bucket, and destroy never empties the bucket"
  }

  assert {
    condition     = aws_s3_bucket_versioning.backups.versioning_configuration[0].status == "Enabled"
    error_message = "versioning stays on"
  }

  assert {
    condition = [
      for r in aws_s3_bucket_lifecycle_configuration.backups.rule : [r.filter[0].prefix, r.expiration[0].days, r.noncurrent_version_expiration[0].noncurrent_days]
      if r.id == "expire-backups"
    ] == [["backups/", 30, 30]]
    error_message = "backups/ (current and noncurrent versions) expire after 30 days"
  }

  assert {
    condition = [
      for r in aws_s3_bucket_lifecycle_configuration.backups.rule : r.abort_incomplete_multipart_upload[0].days_after_initiation
      if r.id == "abort-incomplete-multipart-uploads" && r.status == "Enabled"
    ] == [1]
    error_message = "incomplete multipart uploads are aborted after one day"
  }
}

run "retention_follows_the_variable" {
  command = plan

  variables {
    retention_days = 90
  }

  assert {
    condition = [
      for r in aws_s3_bucket_lifecycle_configuration.backups.rule : r.expiration[0].days if r.id == "expire-backups"
    ] == [90]
    error_message = "retention_days sets the expiry"
  }
}
