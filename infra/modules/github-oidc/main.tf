# GitHub Actions federation: one role per job, each trusted only by this repository and (for deploy and apply)
# only by jobs running in the protected production environment. Every Allow lists exact actions.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  oidc_host    = "token.actions.githubusercontent.com"
  oidc_url     = "https://token.actions.githubusercontent.com"
  oidc_arn     = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn
  readonly_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"

  production_subject = "repo:${var.github_repository}:environment:${var.production_environment}"
  backup_subject     = "repo:${var.github_repository}:environment:${var.backup_environment}"
  plan_subjects = [
    "repo:${var.github_repository}:pull_request",
    "repo:${var.github_repository}:ref:refs/heads/${var.plan_branch}",
  ]

  # Which token subjects may assume which role.
  trust_subjects = merge(
    {
      frontend_deploy = [local.production_subject]
      backend_deploy  = [local.production_subject]
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

  state_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.state_bucket}"
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

resource "aws_iam_role_policy" "frontend_deploy" {
  name   = "frontend-deploy"
  role   = aws_iam_role.this["frontend_deploy"].id
  policy = data.aws_iam_policy_document.frontend_deploy.json
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

resource "aws_iam_role_policy" "backend_deploy" {
  name   = "backend-deploy"
  role   = aws_iam_role.this["backend_deploy"].id
  policy = data.aws_iam_policy_document.backend_deploy.json
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

resource "aws_iam_role_policy" "backup" {
  name   = "backup"
  role   = aws_iam_role.this["backup"].id
  policy = data.aws_iam_policy_document.backup.json
}

# --- Infra plan (pull requests): read-only --------------------------------------------------------------------------

# AWS managed ReadOnlyAccess lets `terraform plan` refresh every resource; the inline policy adds the state read
# and keeps database backups out of reach.
resource "aws_iam_role_policy_attachment" "infra_plan_readonly" {
  role       = aws_iam_role.this["infra_plan"].name
  policy_arn = local.readonly_arn
}

data "aws_iam_policy_document" "infra_plan" {
  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/${var.state_key}"]
  }

  statement {
    sid       = "ListState"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "NoBackupContents"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.backup_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "infra_plan" {
  name   = "infra-plan"
  role   = aws_iam_role.this["infra_plan"].id
  policy = data.aws_iam_policy_document.infra_plan.json
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

  statement {
    sid    = "ManagePipelineRoles"
    effect = "Allow"
    actions = [
      "iam:CreateRole",
      "iam:UpdateRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/${var.name_prefix}-*"]
  }

  # Only ReadOnlyAccess may be attached to the pipeline roles, so the apply role cannot mint an administrator.
  statement {
    sid       = "AttachReadOnlyOnly"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/${var.name_prefix}-*"]

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

  statement {
    sid       = "NoBackupContents"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.backup_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "infra_apply" {
  count = var.create_infra_apply_role ? 1 : 0

  name   = "infra-apply"
  role   = aws_iam_role.this["infra_apply"].id
  policy = data.aws_iam_policy_document.infra_apply.json
}
