# Production wiring for shisha.toof.jp: Route 53 / ACM / CloudFront in front of the S3 SPA, /api/* to the
# Lightsail container service, the backup bucket, and the GitHub OIDC roles of the pipeline.
# (Supabase Postgres is outside AWS; the backup job reaches it with the DATABASE_URL secret.)

locals {
  name = "shisha-log-prod"
  tags = {
    Project     = "shisha-log"
    Environment = "prod"
    ManagedBy   = "terraform"
  }
}

module "acm" {
  source    = "../../modules/acm"
  providers = { aws = aws.us_east_1 }

  domain_name             = var.domain_name
  wait_for_validation     = true
  validation_record_fqdns = var.manage_dns ? module.route53[0].validation_record_fqdns : []
}

module "lightsail" {
  source = "../../modules/lightsail"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  service_name        = var.service_name
  power               = var.lightsail_power
  scale               = var.lightsail_scale
  container_name      = "api"
  container_port      = 8080
  health_check_path   = "/health"
  ecr_repository_name = var.ecr_repository_name
}

module "frontend" {
  source = "../../modules/frontend-cloudfront"

  bucket_name         = var.frontend_bucket_name
  domain_names        = [var.domain_name]
  acm_certificate_arn = module.acm.certificate_arn
  api_origin_domain   = module.lightsail.public_domain
  api_path_pattern    = "/api/*"
  strip_api_prefix    = var.strip_api_prefix
  releases_prefix     = "_releases/"
}

module "route53" {
  source = "../../modules/route53"
  count  = var.manage_dns ? 1 : 0

  zone_name                      = var.hosted_zone_name
  site_names                     = [var.domain_name]
  cloudfront_domain_name         = module.frontend.distribution_domain_name
  cloudfront_hosted_zone_id      = module.frontend.distribution_hosted_zone_id
  certificate_domain_names       = module.acm.domain_names
  certificate_validation_records = module.acm.validation_records
}

module "backup" {
  source = "../../modules/backup"

  bucket_name    = var.backup_bucket_name
  backup_prefix  = "backups/"
  retention_days = var.backup_retention_days
}

module "github_oidc" {
  source = "../../modules/github-oidc"

  github_repository      = var.github_repository
  name_prefix            = local.name
  production_environment = "production"
  frontend_environment   = "production-frontend"
  backend_environment    = "production-backend"
  backup_environment     = "backup"
  create_oidc_provider   = var.create_oidc_provider

  frontend_bucket_arn   = module.frontend.bucket_arn
  distribution_arn      = module.frontend.distribution_arn
  lightsail_service_arn = module.lightsail.service_arn
  lightsail_region      = var.region
  ecr_repository_arn    = module.lightsail.ecr_repository_arn
  backup_bucket_arn     = module.backup.bucket_arn
  backup_prefix         = module.backup.backup_prefix
  state_bucket          = var.state_bucket
  state_key             = var.state_key
  route53_zone_id       = var.manage_dns ? module.route53[0].zone_id : null
}
