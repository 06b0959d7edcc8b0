# The GitHub side of the pipeline: the environments the workflows run in, each limited to main.
# production: required reviewers; the deploy workflow's infra job runs in it, so one approval releases one deploy.
# production-frontend, production-backend (deploy_environments): no reviewers; the deploy jobs run in them after the
# approved infra job, and each is the only environment whose tokens may assume its deploy role (github-oidc).
# backup: no reviewers (the weekly cron must never wait for an approval).

data "github_user" "reviewer" {
  for_each = toset(var.reviewer_usernames)

  username = each.value
}

data "github_team" "reviewer" {
  for_each = toset(var.reviewer_team_slugs)

  slug = each.value
}

resource "github_repository_environment" "production" {
  repository          = var.repository
  environment         = var.production_environment
  wait_timer          = var.production_wait_timer
  can_admins_bypass   = false
  prevent_self_review = var.prevent_self_review

  reviewers {
    users = [for u in data.github_user.reviewer : tonumber(u.id)]
    teams = [for t in data.github_team.reviewer : tonumber(t.id)]
  }

  deployment_branch_policy {
    protected_branches     = false
    custom_branch_policies = true
  }

  lifecycle {
    precondition {
      condition     = length(var.reviewer_usernames) + length(var.reviewer_team_slugs) > 0
      error_message = "The production environment needs at least one required reviewer (reviewer_usernames or reviewer_team_slugs)."
    }
  }
}

resource "github_repository_environment_deployment_policy" "production" {
  repository     = var.repository
  environment    = github_repository_environment.production.environment
  branch_pattern = var.production_branch
}

resource "github_repository_environment" "deploy" {
  for_each = toset(var.deploy_environments)

  repository        = var.repository
  environment       = each.value
  can_admins_bypass = false

  deployment_branch_policy {
    protected_branches     = false
    custom_branch_policies = true
  }
}

resource "github_repository_environment_deployment_policy" "deploy" {
  for_each = github_repository_environment.deploy

  repository     = var.repository
  environment    = each.value.environment
  branch_pattern = var.production_branch
}

resource "github_repository_environment" "backup" {
  repository  = var.repository
  environment = var.backup_environment

  deployment_branch_policy {
    protected_branches     = false
    custom_branch_policies = true
  }
}

resource "github_repository_environment_deployment_policy" "backup" {
  repository     = var.repository
  environment    = github_repository_environment.backup.environment
  branch_pattern = var.backup_branch
}

locals {
  environment_names = merge(
    {
      (var.production_environment) = github_repository_environment.production.environment
      (var.backup_environment)     = github_repository_environment.backup.environment
    },
    { for name, env in github_repository_environment.deploy : name => env.environment },
  )
  secrets = nonsensitive(toset(flatten([
    for env, values in var.environment_secrets : [for name in keys(values) : "${env}/${name}"]
  ])))
}

resource "github_actions_environment_secret" "this" {
  for_each = local.secrets

  repository      = var.repository
  environment     = local.environment_names[split("/", each.key)[0]]
  secret_name     = split("/", each.key)[1]
  plaintext_value = var.environment_secrets[split("/", each.key)[0]][split("/", each.key)[1]]
}
