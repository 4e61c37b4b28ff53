# One environment of the shop: its PostgreSQL, its media bucket behind CloudFront, the
# IAM role of its pods, and its Secrets Manager entries. Production differs from staging
# only through local.production (Multi-AZ, deletion protection, final snapshot).

locals {
  name       = "threadline-${var.environment}"
  namespace  = "threadline-${var.environment}"
  production = var.environment == "production"
  # The shop chart's ServiceAccount (release "threadline", chart "shop").
  service_account = "threadline-shop"
}

data "aws_caller_identity" "current" {}
