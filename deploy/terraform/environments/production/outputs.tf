# The values the environment's values-<env>.yaml and ExternalSecret need (runbook step 4).
output "media_bucket" {
  value = module.shop.media_bucket
}

output "media_domain" {
  value = module.shop.media_domain
}

output "shop_role_arn" {
  value = module.shop.shop_role_arn
}

output "database_identifier" {
  value = module.shop.database_identifier
}

output "secret_names" {
  value = module.shop.secret_names
}

output "secrets_role_arn" {
  value = module.shop.secrets_role_arn
}
