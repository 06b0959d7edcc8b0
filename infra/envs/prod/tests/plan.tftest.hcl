# Plans and applies the whole production wiring against mocked providers (Terraform >= 1.7, no AWS account):
#   cd infra/envs/prod && terraform init -backend=false && terraform test
# It catches what validate cannot: for_each over unknown values, cross-module cycles, preconditions, output shapes.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
      domain_validation_options = [{
        domain_name           = "shisha.toof.jp"
        resource_record_name  = "_x.shisha.toof.jp."
        resource_record_type  = "CNAME"
        resource_record_value = "_y.acm-validations.aws."
      }]
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = {
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    }
  }
  mock_resource "aws_lightsail_container_service" {
    defaults = {
      url = "https://shisha-log-api.abc123.ap-northeast-1.cs.amazonlightsail.com/"
      arn = "arn:aws:lightsail:ap-northeast-1:123456789012:ContainerService/abc"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::mock-bucket"
    }
  }
  mock_resource "aws_cloudfront_function" {
    defaults = {
      arn = "arn:aws:cloudfront::123456789012:function/shisha-log-prod-frontend-strip-api-prefix"
    }
  }
  mock_resource "aws_cloudfront_distribution" {
    defaults = {
      arn = "arn:aws:cloudfront::123456789012:distribution/E123"
    }
  }
  mock_resource "aws_ecrpublic_repository" {
    defaults = {
      arn = "arn:aws:ecr-public::123456789012:repository/shisha-log-api"
    }
  }
}

mock_provider "aws" {
  alias = "us_east_1"
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
      domain_validation_options = [{
        domain_name           = "shisha.toof.jp"
        resource_record_name  = "_x.shisha.toof.jp."
        resource_record_type  = "CNAME"
        resource_record_value = "_y.acm-validations.aws."
      }]
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = {
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    }
  }
  mock_resource "aws_ecrpublic_repository" {
    defaults = {
      arn = "arn:aws:ecr-public::123456789012:repository/shisha-log-api"
    }
  }
}

variables {
  github_repository = "example/shisha-log"
}

run "defaults" {
  command = apply

  assert {
    condition     = output.site_url == "https://shisha.toof.jp" && output.api_url == "https://shisha.toof.jp/api"
    error_message = "site_url/api_url must be the unified domain"
  }

  assert {
    condition     = output.frontend_bucket == "shisha-log-prod-frontend" && output.backup_bucket == "shisha-log-prod-db-backups"
    error_message = "bucket outputs"
  }

  assert {
    condition     = output.service_name == "shisha-log-api"
    error_message = "service_name output"
  }

  assert {
    condition     = module.lightsail.public_domain == "shisha-log-api.abc123.ap-northeast-1.cs.amazonlightsail.com"
    error_message = "the API origin must be the bare host of the container service URL"
  }

  assert {
    condition     = length(module.route53) == 1 && length(module.route53[0].validation_record_fqdns) == 1
    error_message = "Route 53 must hold the certificate validation record"
  }
}

run "dns_elsewhere_and_prefix_stripped" {
  command = apply

  variables {
    manage_dns       = false
    strip_api_prefix = true
  }

  assert {
    condition     = length(module.route53) == 0
    error_message = "manage_dns = false must create no Route 53 records"
  }

  assert {
    condition     = length(output.certificate_validation_records) == 1
    error_message = "the validation records must be output for manual DNS"
  }
}

run "rejects_a_bad_repository" {
  command = plan

  variables {
    github_repository = "not-a-repo"
  }

  expect_failures = [var.github_repository]
}
