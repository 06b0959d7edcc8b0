terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
      # ECR Public only exists in us-east-1.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
