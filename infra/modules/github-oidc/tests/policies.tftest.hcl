# The roles as IAM will read them: the real AWS provider renders every policy document at plan time (no AWS call:
# credential checks are skipped and the one data source that calls AWS, the caller identity, is overridden).
#   cd infra/modules/github-oidc && terraform init && terraform test

provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target          = data.aws_caller_identity.current
  override_during = plan
  values = {
    account_id = "123456789012"
  }
}

override_resource {
  target          = aws_iam_openid_connect_provider.github
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }
}

variables {
  github_repository     = "example/shisha-log"
  name_prefix           = "shisha-log-prod"
  frontend_bucket_arn   = "arn:aws:s3:::shisha-log-prod-frontend"
  distribution_arn      = "arn:aws:cloudfront::123456789012:distribution/E123"
  lightsail_service_arn = "arn:aws:lightsail:ap-northeast-1:123456789012:ContainerService/abc"
  ecr_repository_arn    = "arn:aws:ecr-public::123456789012:repository/shisha-log-api"
  backup_bucket_arn     = "arn:aws:s3:::shisha-log-prod-db-backups"
  state_bucket          = "shisha-log-prod-tfstate"
}

run "each_role_is_assumable_by_one_environment_or_the_plan_subjects" {
  command = plan

  assert {
    condition = {
      for k, d in data.aws_iam_policy_document.trust : k => jsondecode(d.json).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]
      } == {
      infra_apply     = "repo:example/shisha-log:environment:production"
      frontend_deploy = "repo:example/shisha-log:environment:production-frontend"
      backend_deploy  = "repo:example/shisha-log:environment:production-backend"
      backup          = "repo:example/shisha-log:environment:backup"
      infra_plan      = ["repo:example/shisha-log:pull_request", "repo:example/shisha-log:ref:refs/heads/main"]
    }
    error_message = "each role must trust exactly one environment (the plan role: pull requests and main)"
  }

  assert {
    condition = alltrue([
      for d in data.aws_iam_policy_document.trust : jsondecode(d.json).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
      && !can(jsondecode(d.json).Statement[0].Condition.StringLike)
    ])
    error_message = "trust must pin the audience and match subjects exactly (no StringLike)"
  }
}

run "the_plan_role_reads_no_secret" {
  command = plan

  assert {
    condition = alltrue([
      for a in [
        "lightsail:GetContainerServices",
        "lightsail:GetContainerServiceDeployments",
        "lightsail:GetContainerLog",
        "ssm:GetParameter",
        "secretsmanager:GetSecretValue",
      ] : contains(one([for s in jsondecode(aws_iam_role_policy.this["infra_plan"].policy).Statement : s if s.Sid == "NoSecretReads"]).Action, a)
    ])
    error_message = "the plan role (assumable by pull requests) must be denied the reads that return the container environment and other secrets"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["infra_plan"].policy).Statement : s if s.Sid == "NoSecretReads"]).Effect == "Deny"
    error_message = "secret reads must be an explicit Deny (ReadOnlyAccess allows them)"
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.this["infra_plan"].policy).Statement : s if s.Sid == "NoObjectReadsButTheState"]) == {
      Sid         = "NoObjectReadsButTheState"
      Effect      = "Deny"
      Action      = ["s3:GetObjectVersion", "s3:GetObject"]
      NotResource = "arn:aws:s3:::shisha-log-prod-tfstate/prod/terraform.tfstate"
    }
    error_message = "the plan role must read no object but the prod state (the envs/github state holds environment secrets, backups hold the database)"
  }

  assert {
    condition = join(",", sort(flatten([
      for s in jsondecode(aws_iam_role_policy.this["infra_plan"].policy).Statement : s.Action if s.Effect == "Allow"
      ]))) == join(",", sort([
      "s3:GetObject", "s3:ListBucket",
      "cloudfront:ListCachePolicies", "cloudfront:GetCachePolicy", "cloudfront:ListOriginRequestPolicies", "cloudfront:GetOriginRequestPolicy",
      "route53:ListHostedZones", "route53:ListHostedZonesByName", "route53:GetHostedZone", "route53:ListTagsForResource",
      "iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider",
    ]))
    error_message = "the plan role's Allows are the state and the reads of the plan's data sources, nothing else"
  }

  assert {
    condition     = contains(one([for s in jsondecode(aws_iam_role_policy.this["infra_plan"].policy).Statement : s if s.Sid == "NoSecretReads"]).Action, "cloudtrail:LookupEvents")
    error_message = "CloudTrail's event history (the container environment in CreateContainerServiceDeployment's parameters) is denied too"
  }
}

run "the_apply_role_cannot_change_itself" {
  command = plan

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["infra_apply"].policy).Statement : s if s.Sid == "NeverChangeItself"]).Effect == "Deny"
    error_message = "the apply role needs an explicit Deny on changes to itself"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["infra_apply"].policy).Statement : s if s.Sid == "NeverChangeItself"]).Resource == "arn:aws:iam::123456789012:role/shisha-log-prod-infra-apply"
    error_message = "the Deny must name the apply role's own ARN"
  }

  assert {
    condition = alltrue([
      for a in ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"] :
      contains(one([for s in jsondecode(aws_iam_role_policy.this["infra_apply"].policy).Statement : s if s.Sid == "NeverChangeItself"]).Action, a)
    ])
    error_message = "the Deny must cover every way to widen a role's rights or trust"
  }

  # No Allow on any IAM role names the apply role, or a wildcard that would include it.
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.this["infra_apply"].policy).Statement : [
        for r in flatten([s.Resource]) : !strcontains(r, "role/shisha-log-prod-infra-apply") && !strcontains(r, "*")
      ] if s.Effect == "Allow" && anytrue([for a in flatten([s.Action]) : startswith(a, "iam:")])
    ]))
    error_message = "IAM Allows of the apply role must list the other roles' exact ARNs"
  }

  assert {
    condition = length([
      for s in jsondecode(aws_iam_role_policy.this["infra_apply"].policy).Statement : s
      if s.Effect == "Allow" && length(setintersection(toset(flatten([s.Action])), toset(["iam:CreateRole", "iam:UpdateAssumeRolePolicy"]))) > 0
    ]) == 0
    error_message = "the apply role must not create roles or change who may assume them"
  }
}

run "the_deploy_roles_touch_only_their_resources" {
  command = plan

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : s if s.Sid == "DeployContainerService"]).Resource == "arn:aws:lightsail:ap-northeast-1:123456789012:ContainerService/abc"
    error_message = "backend deploy creates deployments on its own service only"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : s if s.Sid == "ReadContainerService"]).Condition.StringEquals["aws:RequestedRegion"] == "ap-northeast-1"
    error_message = "the backend role's Lightsail reads are limited to the service region (the deploy must call Lightsail there)"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["frontend_deploy"].policy).Statement : s if s.Sid == "InvalidateDistribution"]).Resource == "arn:aws:cloudfront::123456789012:distribution/E123"
    error_message = "frontend deploy invalidates its own distribution only"
  }
}

run "each_role_lists_exactly_the_actions_its_job_calls" {
  command = plan

  assert {
    condition = join(",", sort(flatten([for s in jsondecode(aws_iam_role_policy.this["frontend_deploy"].policy).Statement : s.Action]))) == join(",", sort([
      "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts", "cloudfront:GetDistribution", "cloudfront:CreateInvalidation", "cloudfront:GetInvalidation",
    ]))
    error_message = "frontend deploy: the SPA bucket and invalidations"
  }

  assert {
    condition = join(",", sort(flatten([for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : s.Action]))) == join(",", sort([
      "lightsail:CreateContainerServiceDeployment", "lightsail:GetContainerServices", "lightsail:GetContainerServiceDeployments",
      "lightsail:GetContainerLog", "ecr-public:BatchCheckLayerAvailability", "ecr-public:InitiateLayerUpload", "ecr-public:UploadLayerPart",
      "ecr-public:CompleteLayerUpload", "ecr-public:PutImage", "ecr-public:DescribeImages", "ecr-public:DescribeRepositories",
      "ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken", "lightsail:GetContainerImages",
      "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetObject", "s3:ListBucket", "s3:GetObject",
    ]))
    error_message = "backend deploy: one Lightsail service, one image repository, registry login, the deploy lock, status reads"
  }

  assert {
    condition = join(",", sort(flatten([for s in jsondecode(aws_iam_role_policy.this["backup"].policy).Statement : s.Action]))) == join(",", sort([
      "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
    ]))
    error_message = "backup: write, list and read backups, no delete (the lifecycle rule expires them)"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this["backup"].policy).Statement : s if s.Sid == "WriteAndReadBackups"]).Resource == "arn:aws:s3:::shisha-log-prod-db-backups/backups/*"
    error_message = "backup objects only under backups/"
  }
}

run "the_backend_role_holds_the_deploy_lock_and_reads_status_but_no_dump" {
  command = plan

  assert {
    condition = jsonencode([for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : [s.Effect, sort(s.Action), s.Resource] if s.Sid == "DeployLock"]) == jsonencode([
      ["Allow", ["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::shisha-log-prod-frontend/_releases/LOCK"]
    ])
    error_message = "the backend role reads (deploy) and writes (rollback) the deploy lock object, and nothing else in the SPA bucket"
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : [
        for r in flatten([s.Resource]) : contains([
          "arn:aws:s3:::shisha-log-prod-frontend/_releases/LOCK",
          "arn:aws:s3:::shisha-log-prod-frontend/_releases/*",
          "arn:aws:s3:::shisha-log-prod-db-backups/backups/*.manifest.json",
        ], r)
      ] if anytrue([for a in flatten([s.Action]) : a == "s3:GetObject" || a == "s3:PutObject"])
    ]))
    error_message = "the backend role's object reads are the lock, the release manifests and the backup manifests: never a dump, never the SPA's files"
  }

  assert {
    condition = length([
      for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : s
      if contains(flatten([s.Action]), "s3:PutObject") && flatten([s.Resource]) != ["arn:aws:s3:::shisha-log-prod-frontend/_releases/LOCK"]
    ]) == 0
    error_message = "the backend role writes one object: the deploy lock"
  }

  assert {
    condition = !anytrue(flatten([
      for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : [for a in flatten([s.Action]) : startswith(a, "s3:Delete")]
    ]))
    error_message = "the backend role deletes nothing in S3 (unlock is the frontend role's)"
  }

  assert {
    condition     = toset(one([for s in jsondecode(aws_iam_role_policy.this["backend_deploy"].policy).Statement : s if s.Sid == "StatusListBackups"]).Condition.StringLike["s3:prefix"]) == toset(["backups/", "backups/*"])
    error_message = "the backend role lists the backups under their prefix only"
  }

  assert {
    condition     = contains(one([for s in jsondecode(aws_iam_role_policy.this["frontend_deploy"].policy).Statement : s if s.Sid == "SyncSpaObjects"]).Action, "s3:DeleteObject")
    error_message = "the frontend role clears the deploy lock (rollback.yml's unlock job)"
  }
}
