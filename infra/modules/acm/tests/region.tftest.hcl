# CloudFront only accepts us-east-1 certificates: the module refuses any other provider region.
#   cd infra/modules/acm && terraform init && terraform test

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "ap-northeast-1"
    }
  }
}

variables {
  domain_name         = "shisha.toof.jp"
  wait_for_validation = false
}

run "refuses_a_region_other_than_us_east_1" {
  command = plan

  expect_failures = [aws_acm_certificate.this]
}

run "accepts_us_east_1" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = {
      name = "us-east-1"
    }
  }

  assert {
    condition     = aws_acm_certificate.this.validation_method == "DNS"
    error_message = "DNS validation expected"
  }
}
