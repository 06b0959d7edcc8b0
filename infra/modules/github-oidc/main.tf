# GitHub Actions federation: one role per job, each trusted only by this repository and by one GitHub environment
# (the token's sub claim is repo:<owner/name>:environment:<name>): infra apply by the reviewed production
# environment, each deploy role by its own main-only environment, backup by backup. The plan role, which pull
# requests can assume, may read the prod state and what the plan's data sources read, nothing else. Every Allow lists exact actions.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  oidc_host    = "token.actions.githubusercontent.com"
  oidc_url     = "https://token.actions.githubusercontent.com"
  oidc_arn     = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn
  readonly_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"

  production_subject = "repo:${var.github_repository}:environment:${var.production_environment}"
  frontend_subject   = "repo:${var.github_repository}:environment:${var.frontend_environment}"
  backend_subject    = "repo:${var.github_repository}:environment:${var.backend_environment}"
  backup_subject     = "repo:${var.github_repository}:environment:${var.backup_environment}"
  plan_subjects = [
    "repo:${var.github_repository}:pull_request",
    "repo:${var.github_repository}:ref:refs/heads/${var.plan_branch}",
  ]

  # Which token subjects may assume which role: one environment per role, so a job of one environment cannot
  # assume another job's role.
  trust_subjects = merge(
    {
      frontend_deploy = [local.frontend_subject]
      backend_deploy  = [local.backend_subject]
      backup          = [local.backup_subject]
      infra_plan      = local.plan_subjects
    },
    var.create_infra_apply_role ? { infra_apply = [local.production_subject] } : {},
  )

  role_names = {
    frontend_deploy = "${var.name_prefix}-frontend-deploy"
    backend_deploy  = "${var.name_prefix}-backend-deploy"
    backup          = "${var.name_prefix}-backup"
    infra_plan      = "${var.name_prefix}-infra-plan"
    infra_apply     = "${var.name_prefix}-infra-apply"
  }

  # The SPA bucket's release manifests and deploy lock (src/frontend/releases.ts RELEASES_DIR, src/ops/lock.ts).
  releases_dir = "_releases/"
  lock_key     = "${local.releases_dir}LOCK"

  state_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.state_bucket}"
  state_object_arn = "${local.state_bucket_arn}/${var.state_key}"
  role_arn         = { for k, name in local.role_names : k => "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/${name}" }
  # The roles the apply role manages: every pipeline role but itself.
  managed_role_arns = [for k in ["frontend_deploy", "backend_deploy", "backup", "infra_plan"] : local.role_arn[k]]

  # Reads that return secrets: the container environment (DATABASE_URL, SUPABASE_JWT_SECRET) and log of the
  # Lightsail service, and in CloudTrail's record of the deployment request; Lightsail database passwords and
  # instance access, SSM parameters and Secrets Manager values. Denied to the plan role, which pull requests assume.
  secret_reads = [
    "lightsail:GetContainerServices",
    "lightsail:GetContainerServiceDeployments",
    "lightsail:GetContainerLog",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "lightsail:GetInstanceAccessDetails",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "secretsmanager:GetSecretValue",
    # CloudTrail keeps CreateContainerServiceDeployment's request parameters, containers' environment included.
    "cloudtrail:LookupEvents",
    "cloudtrail:GetQueryResults",
  ]
}

# --- OIDC provider ------------------------------------------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = local.oidc_url
  client_id_list = ["sts.amazonaws.com"]
  # AWS no longer checks these for GitHub (it trusts the IdP's CA), but older provider versions require a value.
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]
  tags = var.tags
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 0 : 1

  url = local.oidc_url
}

# --- Trust ----------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "trust" {
  for_each = local.trust_subjects

  statement {
    sid     = "GitHubActionsOidc"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.trust_subjects

  name                 = local.role_names[each.key]
  description          = "GitHub Actions (${var.github_repository}): ${replace(each.key, "_", " ")}"
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

# --- Frontend deploy: sync the SPA bucket, invalidate the distribution ------------------------------------------

data "aws_iam_policy_document" "frontend_deploy" {
  statement {
    sid       = "ListSpaBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.frontend_bucket_arn]
  }

  statement {
    sid = "SyncSpaObjects"
    # Includes the release manifests under _releases/ (CloudFront itself may not read them).
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${var.frontend_bucket_arn}/*"]
  }

  statement {
    sid       = "InvalidateDistribution"
    effect    = "Allow"
    actions   = ["cloudfront:GetDistribution", "cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
    resources = [var.distribution_arn]
  }
}

# --- Backend deploy: push the image to ECR Public, create a Lightsail deployment ----------------------------------

data "aws_iam_policy_document" "backend_deploy" {
  statement {
    sid       = "DeployContainerService"
    effect    = "Allow"
    actions   = ["lightsail:CreateContainerServiceDeployment"]
    resources = [var.lightsail_service_arn]
  }

  # Lightsail's read calls do not support resource-level permissions; they are limited to the service's region.
  statement {
    sid    = "ReadContainerService"
    effect = "Allow"
    actions = [
      "lightsail:GetContainerServices",
      "lightsail:GetContainerServiceDeployments",
      "lightsail:GetContainerLog",
      # backend rollback: is an earlier version's pushed image still registered?
      "lightsail:GetContainerImages",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.lightsail_region]
    }
  }

  # The deploy lock (src/ops/lock.ts): the deploy reads it and refuses while it is there; a backend rollback writes
  # it. One object; clearing it (DeleteObject) is the frontend role's (rollback.yml's unlock job).
  statement {
    sid       = "DeployLock"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.frontend_bucket_arn}/${local.lock_key}"]
  }

  # `shisha-ops status` in deploy.yml's status job: the SPA's releases (list, release manifests, the lock) ...
  statement {
    sid       = "StatusListSpaBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.frontend_bucket_arn]
  }

  statement {
    sid       = "StatusReadReleaseManifests"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.frontend_bucket_arn}/${local.releases_dir}*"]
  }

  # ... and the newest backup: list the backups, read their small manifests, never a dump.
  statement {
    sid       = "StatusListBackups"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.backup_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [var.backup_prefix, "${var.backup_prefix}*"]
    }
  }

  statement {
    sid       = "StatusReadBackupManifests"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.backup_bucket_arn}/${var.backup_prefix}*.manifest.json"]
  }

  dynamic "statement" {
    for_each = var.ecr_repository_arn == null ? [] : [var.ecr_repository_arn]

    content {
      sid    = "PushImage"
      effect = "Allow"
      actions = [
        "ecr-public:BatchCheckLayerAvailability",
        "ecr-public:InitiateLayerUpload",
        "ecr-public:UploadLayerPart",
        "ecr-public:CompleteLayerUpload",
        "ecr-public:PutImage",
        "ecr-public:DescribeImages",
        "ecr-public:DescribeRepositories",
      ]
      resources = [statement.value]
    }
  }

  # Registry login (aws-actions/amazon-ecr-login with registry-type public); these calls have no resource.
  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"]
    resources = ["*"]
  }
}

# --- Backup: write, list and read backups; no delete (the bucket's lifecycle rule expires them) -------------------

data "aws_iam_policy_document" "backup" {
  statement {
    sid       = "ListBackups"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.backup_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [var.backup_prefix, "${var.backup_prefix}*"]
    }
  }

  # The dump upload checks for multipart uploads it left open (ListMultipartUploads with the key as prefix).
  statement {
    sid       = "FindOpenUploads"
    effect    = "Allow"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [var.backup_bucket_arn]
  }

  statement {
    sid    = "WriteAndReadBackups"
    effect = "Allow"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${var.backup_bucket_arn}/${var.backup_prefix}*"]
  }
}

# --- Infra plan (pull requests): the reads `terraform plan -refresh=false` makes, and no secret -------------------

# Pull requests run their own Terraform code with this role, so anything it can read, a pull request can print.
# No managed ReadOnlyAccess: it includes reads that return secrets in ways hard to enumerate (cloudtrail:LookupEvents
# returns CreateContainerServiceDeployment's request parameters, container environment included; lambda, ecs and
# other services hand out configuration). The infra-plan workflow plans with -refresh=false, so Terraform reads the
# state and the data sources of envs/prod only; this policy lists exactly those reads:
#   the S3 backend: the prod state object (and ListBucket; -lock=false writes no lock file);
#   data.aws_caller_identity: sts:GetCallerIdentity, which needs no permission; aws_partition, aws_region: no call;
#   data.aws_cloudfront_cache_policy / origin_request_policy (managed policies, by name): List*, Get*;
#   data.aws_route53_zone (with manage_dns): the zone by name, and its tags;
#   data.aws_iam_openid_connect_provider (with create_oidc_provider = false): list, get.
# Every resource is planned from the state: a read this list lacks makes the plan fail (visible on the pull
# request), never a secret leak. The Denies stay as a second line.
data "aws_iam_policy_document" "infra_plan" {
  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [local.state_object_arn]
  }

  statement {
    sid       = "ListState"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  # CloudFront's managed cache and origin request policies belong to no account resource this module knows;
  # the List calls have no resource-level permissions.
  statement {
    sid    = "ReadCloudFrontManagedPolicies"
    effect = "Allow"
    actions = [
      "cloudfront:ListCachePolicies",
      "cloudfront:GetCachePolicy",
      "cloudfront:ListOriginRequestPolicies",
      "cloudfront:GetOriginRequestPolicy",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "FindHostedZone"
    effect    = "Allow"
    actions   = ["route53:ListHostedZones", "route53:ListHostedZonesByName"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadHostedZone"
    effect    = "Allow"
    actions   = ["route53:GetHostedZone", "route53:ListTagsForResource"]
    resources = ["arn:${data.aws_partition.current.partition}:route53:::hostedzone/*"]
  }

  statement {
    sid       = "FindOidcProvider"
    effect    = "Allow"
    actions   = ["iam:ListOpenIDConnectProviders"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadOidcProvider"
    effect    = "Allow"
    actions   = ["iam:GetOpenIDConnectProvider"]
    resources = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:oidc-provider/${local.oidc_host}"]
  }

  statement {
    sid       = "NoSecretReads"
    effect    = "Deny"
    actions   = local.secret_reads
    resources = ["*"]
  }

  statement {
    sid           = "NoObjectReadsButTheState"
    effect        = "Deny"
    actions       = ["s3:GetObject", "s3:GetObjectVersion"]
    not_resources = [local.state_object_arn]
  }
}

# --- Infra apply (deploy workflow, production environment) -------------------------------------------------------

resource "aws_iam_role_policy_attachment" "infra_apply_readonly" {
  count = var.create_infra_apply_role ? 1 : 0

  role       = aws_iam_role.this["infra_apply"].name
  policy_arn = local.readonly_arn
}

data "aws_iam_policy_document" "infra_apply" {
  statement {
    sid       = "StateObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/${var.state_key}", "${local.state_bucket_arn}/${var.state_key}.tflock"]
  }

  statement {
    sid       = "StateList"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid    = "ManageBuckets"
    effect = "Allow"
    actions = [
      "s3:CreateBucket",
      "s3:PutBucketTagging",
      "s3:PutBucketPolicy",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketOwnershipControls",
      "s3:PutEncryptionConfiguration",
      "s3:PutBucketVersioning",
      "s3:PutLifecycleConfiguration",
    ]
    resources = [var.frontend_bucket_arn, var.backup_bucket_arn]
  }

  statement {
    sid    = "ManageCloudFront"
    effect = "Allow"
    actions = [
      "cloudfront:CreateDistribution",
      "cloudfront:CreateDistributionWithTags",
      "cloudfront:UpdateDistribution",
      "cloudfront:TagResource",
      "cloudfront:UntagResource",
      "cloudfront:CreateOriginAccessControl",
      "cloudfront:UpdateOriginAccessControl",
      "cloudfront:DeleteOriginAccessControl",
      "cloudfront:CreateCachePolicy",
      "cloudfront:UpdateCachePolicy",
      "cloudfront:DeleteCachePolicy",
      "cloudfront:CreateResponseHeadersPolicy",
      "cloudfront:UpdateResponseHeadersPolicy",
      "cloudfront:DeleteResponseHeadersPolicy",
      "cloudfront:CreateFunction",
      "cloudfront:UpdateFunction",
      "cloudfront:PublishFunction",
      "cloudfront:DeleteFunction",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:cloudfront::${local.account_id}:*"]
  }

  statement {
    sid    = "ManageCertificate"
    effect = "Allow"
    actions = [
      "acm:RequestCertificate",
      "acm:AddTagsToCertificate",
      "acm:RemoveTagsFromCertificate",
      "acm:DeleteCertificate",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "ManageContainerService"
    effect = "Allow"
    actions = [
      "lightsail:CreateContainerService",
      "lightsail:UpdateContainerService",
      "lightsail:TagResource",
      "lightsail:UntagResource",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.lightsail_region]
    }
  }

  dynamic "statement" {
    for_each = var.ecr_repository_arn == null ? [] : [var.ecr_repository_arn]

    content {
      sid    = "ManageImageRepository"
      effect = "Allow"
      actions = [
        "ecr-public:CreateRepository",
        "ecr-public:PutRepositoryCatalogData",
        "ecr-public:TagResource",
        "ecr-public:UntagResource",
      ]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == null ? [] : [var.route53_zone_id]

    content {
      sid       = "ManageRecords"
      effect    = "Allow"
      actions   = ["route53:ChangeResourceRecordSets"]
      resources = ["arn:${data.aws_partition.current.partition}:route53:::hostedzone/${statement.value}"]
    }
  }

  # The permissions of the four other pipeline roles, by exact ARN. Not who may assume them (no CreateRole, no
  # UpdateAssumeRolePolicy: trust changes are applied by an administrator), and nothing about itself (the Deny
  # below), so the apply role cannot give itself more rights or make itself assumable by anything else. It can
  # still write the other roles' inline policies; those roles stay assumable only by their own GitHub environment.
  statement {
    sid    = "ManagePipelineRolePolicies"
    effect = "Allow"
    actions = [
      "iam:UpdateRole",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
    ]
    resources = local.managed_role_arns
  }

  statement {
    sid       = "AttachReadOnlyOnly"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = local.managed_role_arns

    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values   = [local.readonly_arn]
    }
  }

  statement {
    sid    = "ManageOidcProvider"
    effect = "Allow"
    actions = [
      "iam:CreateOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:oidc-provider/${local.oidc_host}"]
  }

  # An explicit Deny wins over any Allow, also one a later change might add: the apply role never changes itself.
  statement {
    sid    = "NeverChangeItself"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy",
      "iam:DeleteRole",
      "iam:DeleteRolePermissionsBoundary",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = [local.role_arn["infra_apply"]]
  }

  # Terraform refreshes with ReadOnlyAccess; no object but the state is read (backups, the envs/github state).
  statement {
    sid           = "NoObjectReadsButTheState"
    effect        = "Deny"
    actions       = ["s3:GetObject", "s3:GetObjectVersion"]
    not_resources = [local.state_object_arn, "${local.state_object_arn}.tflock"]
  }
}

# --- One inline policy per role (the documents above) ---------------------------------------------------------------

locals {
  role_policies = {
    frontend_deploy = data.aws_iam_policy_document.frontend_deploy.json
    backend_deploy  = data.aws_iam_policy_document.backend_deploy.json
    backup          = data.aws_iam_policy_document.backup.json
    infra_plan      = data.aws_iam_policy_document.infra_plan.json
    infra_apply     = data.aws_iam_policy_document.infra_apply.json
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.trust_subjects # the roles this module creates

  name   = replace(each.key, "_", "-")
  role   = aws_iam_role.this[each.key].id
  policy = local.role_policies[each.key]
}

# Each role's policy had a resource of its own before: an existing state keeps them.
moved {
  from = aws_iam_role_policy.frontend_deploy
  to   = aws_iam_role_policy.this["frontend_deploy"]
}

moved {
  from = aws_iam_role_policy.backend_deploy
  to   = aws_iam_role_policy.this["backend_deploy"]
}

moved {
  from = aws_iam_role_policy.backup
  to   = aws_iam_role_policy.this["backup"]
}

moved {
  from = aws_iam_role_policy.infra_plan
  to   = aws_iam_role_policy.this["infra_plan"]
}

moved {
  from = aws_iam_role_policy.infra_apply[0]
  to   = aws_iam_role_policy.this["infra_apply"]
}
