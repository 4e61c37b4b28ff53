# Read by ../environments/* through terraform_remote_state, and by a person filling in the
# add-on placeholders (runbook step 3).
output "region" {
  value = var.region
}

output "cluster_name" {
  value = module.eks.cluster_name
}

output "cluster_endpoint" {
  value = module.eks.cluster_endpoint
}

output "oidc_provider_arn" {
  description = "The cluster's IRSA provider: the shop's media roles trust it."
  value       = module.eks.oidc_provider_arn
}

output "vpc_id" {
  description = "aws-load-balancer-controller's vpcId value."
  value       = module.vpc.vpc_id
}

output "vpc_cidr" {
  value = module.vpc.vpc_cidr_block
}

output "database_subnet_group" {
  value = module.vpc.database_subnet_group_name
}

output "node_security_group_id" {
  description = "The nodes' security group: the only source admitted by the databases."
  value       = module.eks.node_security_group_id
}

output "ecr_repository_url" {
  description = "image.repository in the values files; REGISTRY/IMAGE of the release workflow."
  value       = module.ecr.repository_url
}

output "ecr_cache_repository" {
  description = "ECR_CACHE_REPOSITORY of the release workflow."
  value       = module.ecr_cache.repository_name
}

output "github_release_role_arn" {
  description = "AWS_RELEASE_ROLE_ARN of the release workflow (a repository variable, not a secret)."
  value       = aws_iam_role.github_release.arn
}

output "secrets_kms_key_arn" {
  value = aws_kms_key.secrets.arn
}

output "route53_zone_id" {
  value = data.aws_route53_zone.shop.zone_id
}
