# The API runs on a Lightsail container service. Container services have no static IP: the public name is the
# service's own HTTPS endpoint, which CloudFront uses as the /api/* origin (output public_domain).

resource "aws_lightsail_container_service" "this" {
  name        = var.service_name
  power       = var.power
  scale       = var.scale
  is_disabled = false
  tags        = var.tags
}

# Optional first deployment so the endpoint answers before the first pipeline run. Deployments are otherwise made
# by the deploy-backend action with the same container, port and health check; Terraform never replaces them.
resource "aws_lightsail_container_service_deployment_version" "bootstrap" {
  count = var.bootstrap_image == null ? 0 : 1

  service_name = aws_lightsail_container_service.this.name

  container {
    container_name = var.container_name
    image          = var.bootstrap_image
    ports = {
      (tostring(var.container_port)) = "HTTP"
    }
  }

  public_endpoint {
    container_name = var.container_name
    container_port = var.container_port

    health_check {
      path                = var.health_check_path
      success_codes       = "200-299"
      interval_seconds    = 10
      timeout_seconds     = 5
      healthy_threshold   = 2
      unhealthy_threshold = 2
    }
  }

  lifecycle {
    ignore_changes = all
  }
}

resource "aws_ecrpublic_repository" "api" {
  count    = var.ecr_repository_name == null ? 0 : 1
  provider = aws.us_east_1

  repository_name = var.ecr_repository_name
  force_destroy   = var.force_destroy
  tags            = var.tags

  catalog_data {
    about_text        = "Shisha Log API image, deployed to the Lightsail container service ${var.service_name}."
    operating_systems = ["Linux"]
    architectures     = ["x86-64"]
  }
}
