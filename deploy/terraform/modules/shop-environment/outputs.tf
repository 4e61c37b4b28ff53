output "media_bucket" {
  description = "config.awsStorageBucketName in values-<env>.yaml."
  value       = module.media.s3_bucket_id
}

output "media_domain" {
  description = "config.awsS3CustomDomain in values-<env>.yaml (CloudFront)."
  value       = aws_cloudfront_distribution.media.domain_name
}

output "shop_role_arn" {
  description = "serviceAccount.annotations.eks.amazonaws.com/role-arn in values-<env>.yaml."
  value       = module.shop_role.arn
}

output "database_address" {
  value = module.database.db_instance_address
}

output "database_identifier" {
  description = "For `aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier`."
  value       = module.database.db_instance_identifier
}

output "secret_names" {
  description = "The Secrets Manager entries the environment's ExternalSecret reads."
  value       = [aws_secretsmanager_secret.app.name, aws_secretsmanager_secret.database.name]
}

output "secrets_role_arn" {
  description = "externalSecret.secretStore.roleArn in values-<env>.yaml."
  value       = module.secrets_role.arn
}
