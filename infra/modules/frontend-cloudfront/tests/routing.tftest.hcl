# Routing at the edge as CloudFront will be configured: the SPA function on the default behaviour only, no
# distribution-wide mapping of errors to /index.html, a 404 page with status 404. The real AWS provider plans it;
# nothing calls AWS (credential checks skipped, the data sources that would call CloudFront overridden). The bucket
# policy is read at apply time (its document depends on the distribution), so test/unit/infra-cloudfront.test.ts
# checks it from the HCL.
#   cd infra/modules/frontend-cloudfront && terraform init && terraform test

provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target          = data.aws_cloudfront_cache_policy.caching_disabled
  override_during = plan
  values = {
    id = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  }
}

override_data {
  target          = data.aws_cloudfront_origin_request_policy.all_viewer_except_host_header
  override_during = plan
  values = {
    id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  }
}

override_resource {
  target          = aws_cloudfront_function.spa_routing
  override_during = plan
  values = {
    arn = "arn:aws:cloudfront::123456789012:function/shisha-log-prod-frontend-spa-routing"
  }
}

override_resource {
  target          = aws_cloudfront_function.strip_api_prefix
  override_during = plan
  values = {
    arn = "arn:aws:cloudfront::123456789012:function/shisha-log-prod-frontend-strip-api-prefix"
  }
}

override_resource {
  target          = aws_cloudfront_distribution.this
  override_during = plan
  values = {
    arn = "arn:aws:cloudfront::123456789012:distribution/E123"
  }
}

override_resource {
  target          = module.bucket.aws_s3_bucket.this
  override_during = plan
  values = {
    arn = "arn:aws:s3:::shisha-log-prod-frontend"
  }
}

variables {
  bucket_name         = "shisha-log-prod-frontend"
  domain_names        = ["shisha.toof.jp"]
  acm_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
  api_origin_domain   = "shisha-log-api.abc123.ap-northeast-1.cs.amazonlightsail.com"
}

run "spa_function_on_the_default_behaviour_only" {
  command = plan

  assert {
    condition     = aws_cloudfront_function.spa_routing.code == file("functions/spa-routing.js") && aws_cloudfront_function.spa_routing.runtime == "cloudfront-js-2.0"
    error_message = "the SPA function must be functions/spa-routing.js as it is, on the cloudfront-js-2.0 runtime"
  }

  assert {
    condition = [
      for a in aws_cloudfront_distribution.this.default_cache_behavior[0].function_association : { event = a.event_type, arn = a.function_arn }
    ] == [{ event = "viewer-request", arn = "arn:aws:cloudfront::123456789012:function/shisha-log-prod-frontend-spa-routing" }]
    error_message = "the default behaviour must run the SPA function on viewer-request"
  }

  assert {
    condition = alltrue([
      for b in aws_cloudfront_distribution.this.ordered_cache_behavior : length(b.function_association) == 0
    ])
    error_message = "no function on /api/* unless strip_api_prefix (the SPA function never sees /api/...)"
  }
}

run "errors_keep_their_status" {
  command = plan

  assert {
    condition = length([
      for r in aws_cloudfront_distribution.this.custom_error_response : r if r.response_code == 200 || r.response_page_path == "/index.html" || r.error_code == 403
    ]) == 0
    error_message = "no error may become the app shell with 200, and 403 is never mapped"
  }

  assert {
    condition = [
      for r in aws_cloudfront_distribution.this.custom_error_response : [r.error_code, r.response_code, r.response_page_path, r.error_caching_min_ttl]
    ] == [[404, 404, "/404.html", 10]]
    error_message = "a missing file gets /404.html with status 404, cached for 10 seconds (the error TTL applies to /api/* 404s too)"
  }
}

run "api_404_bodies_kept_when_asked" {
  command = plan

  variables {
    not_found_page_path = null
  }

  assert {
    condition     = length(aws_cloudfront_distribution.this.custom_error_response) == 0
    error_message = "not_found_page_path = null maps no error at all"
  }
}

run "strip_api_prefix_loads_its_file_with_the_prefix" {
  command = plan

  variables {
    strip_api_prefix = true
  }

  assert {
    condition     = aws_cloudfront_function.strip_api_prefix[0].code == templatefile("functions/strip-api-prefix.js", { prefix = "/api" }) && strcontains(aws_cloudfront_function.strip_api_prefix[0].code, "var prefix = '/api';")
    error_message = "the strip function must be functions/strip-api-prefix.js with the prefix filled in"
  }

  assert {
    condition = [
      for a in aws_cloudfront_distribution.this.ordered_cache_behavior[0].function_association : { event = a.event_type, arn = a.function_arn }
    ] == [{ event = "viewer-request", arn = "arn:aws:cloudfront::123456789012:function/shisha-log-prod-frontend-strip-api-prefix" }]
    error_message = "the strip function runs on /api/* viewer requests"
  }

  assert {
    condition     = length(aws_cloudfront_distribution.this.default_cache_behavior[0].function_association) == 1
    error_message = "the default behaviour keeps only the SPA function"
  }
}
