terraform {
  required_version = ">= 1.10.0"

  required_providers {
    github = {
      source  = "integrations/github"
      version = ">= 6.0, < 7.0"
    }
  }

  # Same state bucket as envs/prod, another key. Applied by a repository admin from a workstation: the workflow
  # GITHUB_TOKEN cannot administer environments.
  backend "s3" {
    bucket       = "shisha-log-prod-tfstate"
    key          = "github/terraform.tfstate"
    region       = "ap-northeast-1"
    encrypt      = true
    use_lockfile = true
  }
}
