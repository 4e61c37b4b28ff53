# The shop's secrets in Secrets Manager, read by External Secrets into the Secret
# threadline-<env>-env (the chart's secret.existingSecret). No value is in Git or in the
# Terraform state:
# - threadline/<env>/database: {"DATABASE_URL": ...}, written here from the ephemeral password;
# - threadline/<env>: SECRET_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, EMAIL_URL,
#   SENTRY_DSN, created empty and filled by hand (runbook step 4).

resource "aws_secretsmanager_secret" "database" {
  #checkov:skip=CKV2_AWS_57:Rotated with the RDS password through db_password_version (one apply changes both); a rotation Lambda would have to rewrite the URL too.
  name                    = "threadline/${var.environment}/database"
  description             = "DATABASE_URL of ${local.name} (RDS, TLS required)"
  kms_key_id              = var.platform.secrets_kms_key_arn
  recovery_window_in_days = local.production ? 30 : 7
}

resource "aws_secretsmanager_secret_version" "database" {
  secret_id = aws_secretsmanager_secret.database.id
  secret_string_wo = jsonencode({
    DATABASE_URL = "postgres://threadline:${ephemeral.random_password.database.result}@${module.database.db_instance_address}:5432/threadline?sslmode=require"
  })
  secret_string_wo_version = var.db_password_version
}

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:Django's SECRET_KEY and third-party keys (Stripe, SMTP, Sentry) are rotated by hand at their issuers (runbook, Rotate a secret).
  name                    = "threadline/${var.environment}"
  description             = "SECRET_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, EMAIL_URL, SENTRY_DSN of ${local.name}"
  kms_key_id              = var.platform.secrets_kms_key_arn
  recovery_window_in_days = local.production ? 30 : 7
}
