output "service_name" {
  description = "Name of the container service (input service-name of the deploy-backend action)."
  value       = aws_lightsail_container_service.this.name
}

output "service_arn" {
  description = "ARN of the container service (scope of the backend deploy role)."
  value       = aws_lightsail_container_service.this.arn
}

output "url" {
  description = "Public HTTPS endpoint of the container service."
  value       = aws_lightsail_container_service.this.url
}

output "public_domain" {
  description = "Host name of the public endpoint, without scheme or path: the CloudFront /api/* origin."
  value       = trimsuffix(trimprefix(aws_lightsail_container_service.this.url, "https://"), "/")
}

output "container_name" {
  description = "Container name deployments use."
  value       = var.container_name
}

output "container_port" {
  description = "Container port deployments use."
  value       = var.container_port
}

output "health_check_path" {
  description = "Path of the public endpoint's health check."
  value       = var.health_check_path
}

output "ecr_repository_uri" {
  description = "URI of the ECR Public repository (public.ecr.aws/<alias>/<name>), or null."
  value       = one(aws_ecrpublic_repository.api[*].repository_uri)
}

output "ecr_repository_arn" {
  description = "ARN of the ECR Public repository (scope of the backend deploy role's push permissions), or null."
  value       = one(aws_ecrpublic_repository.api[*].arn)
}
