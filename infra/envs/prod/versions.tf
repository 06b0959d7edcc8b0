terraform {
  # >= 1.10 for S3-native state locking (use_lockfile); the modules themselves need >= 1.5.
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }

  # The state bucket is created once by hand (see README.md, "Bootstrap order"). Another bucket name can be
  # given at init time: terraform init -backend-config="bucket=<name>".
  backend "s3" {
    bucket       = "shisha-log-prod-tfstate"
    key          = "prod/terraform.tfstate"
    region       = "ap-northeast-1"
    encrypt      = true
    use_lockfile = true
  }
}
