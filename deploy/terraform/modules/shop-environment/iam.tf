# The shop's pods: read and write their own media bucket, nothing else. IRSA, because the
# chart renders the role ARN on its ServiceAccount (values-<env>.yaml).
module "shop_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "6.5.0"

  name            = "${local.name}-media"
  use_name_prefix = false

  oidc_providers = {
    cluster = {
      provider_arn               = var.platform.oidc_provider_arn
      namespace_service_accounts = ["${local.namespace}:${local.service_account}"]
    }
  }

  policies = {
    media = aws_iam_policy.media.arn
  }
}

data "aws_iam_policy_document" "media_access" {
  statement {
    sid       = "ListTheBucket"
    actions   = ["s3:ListBucket"]
    resources = [module.media.s3_bucket_arn]
  }
  statement {
    sid       = "ObjectsOfTheBucket"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${module.media.s3_bucket_arn}/*"]
  }
}

resource "aws_iam_policy" "media" {
  name        = "${local.name}-media"
  description = "Read and write ${local.name}'s media bucket"
  policy      = data.aws_iam_policy_document.media_access.json
}

# What the chart's SecretStore authenticates as (externalSecret.secretStore.roleArn in
# values-<env>.yaml): its hook ServiceAccount <fullname>-secrets, through IRSA. It may read
# this environment's two secrets and nothing else; decrypting goes through Secrets Manager.
module "secrets_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "6.5.0"

  name            = "${local.name}-secrets"
  use_name_prefix = false

  oidc_providers = {
    cluster = {
      provider_arn               = var.platform.oidc_provider_arn
      namespace_service_accounts = ["${local.namespace}:${local.service_account}-secrets"]
    }
  }

  policies = {
    secrets = aws_iam_policy.read_secrets.arn
  }
}

data "aws_iam_policy_document" "read_secrets" {
  statement {
    sid       = "ReadTheEnvironmentsSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.app.arn, aws_secretsmanager_secret.database.arn]
  }
  statement {
    sid       = "DecryptThroughSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = [var.platform.secrets_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.platform.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "read_secrets" {
  name        = "${local.name}-read-secrets"
  description = "Read ${local.name}'s Secrets Manager entries"
  policy      = data.aws_iam_policy_document.read_secrets.json
}
