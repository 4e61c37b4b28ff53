# AWS roles of the cluster's add-ons, handed to their ServiceAccounts through EKS Pod
# Identity (no role ARN in deploy/argocd/addons). The namespace and ServiceAccount names
# here are the ones the add-on Applications install; tests/deploy/test_terraform.py
# checks that they agree.

data "aws_route53_zone" "shop" {
  name         = var.domain
  private_zone = false
}

locals {
  # The cluster-wide store (deploy/argocd/addons/config) reads only the alerting tokens;
  # each environment's secrets are read by that environment's own SecretStore role
  # (modules/shop-environment/iam.tf). The suffix is the random one Secrets Manager adds.
  alerting_secret_arn = "arn:aws:secretsmanager:${var.region}:${data.aws_caller_identity.current.account_id}:secret:threadline/alerting-*"
}

data "aws_caller_identity" "current" {}

module "external_dns_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "2.8.1"

  name                          = "${var.name}-external-dns"
  attach_external_dns_policy    = true
  external_dns_hosted_zone_arns = [data.aws_route53_zone.shop.arn]

  associations = {
    external-dns = {
      cluster_name    = module.eks.cluster_name
      namespace       = "external-dns"
      service_account = "external-dns"
    }
  }
}

module "external_secrets_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "2.8.1"

  name                                  = "${var.name}-external-secrets"
  attach_external_secrets_policy        = true
  external_secrets_secrets_manager_arns = [local.alerting_secret_arn]
  external_secrets_kms_key_arns         = [aws_kms_key.secrets.arn]
  external_secrets_create_permission    = false

  associations = {
    external-secrets = {
      cluster_name    = module.eks.cluster_name
      namespace       = "external-secrets"
      service_account = "external-secrets"
    }
  }
}

module "aws_lb_controller_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "2.8.1"

  name                            = "${var.name}-aws-load-balancer-controller"
  attach_aws_lb_controller_policy = true

  associations = {
    aws-load-balancer-controller = {
      cluster_name    = module.eks.cluster_name
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
    }
  }
}

# The EBS CSI driver is an EKS add-on (eks.tf), associated with this role there.
module "ebs_csi_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "2.8.1"

  name                      = "${var.name}-ebs-csi"
  attach_aws_ebs_csi_policy = true
}

# Tokens of the alerting paths (Slack webhook for Alertmanager, bot token for Argo CD
# notifications). Created empty; values are set by hand (runbook step 3), never in Git.
resource "aws_secretsmanager_secret" "alerting" {
  #checkov:skip=CKV2_AWS_57:Third-party tokens (Slack) cannot be rotated by a Lambda; rotate by hand (runbook, "Rotate a secret").
  name        = "threadline/alerting"
  description = "slack-webhook-url (Alertmanager), slack-bot-token (Argo CD notifications)"
  kms_key_id  = aws_kms_key.secrets.arn
}

# One key for the shop's Secrets Manager entries (the environments use it too).
resource "aws_kms_key" "secrets" {
  description             = "Threadline Secrets Manager entries"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.secrets_key.json
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

# The account administers the key, so IAM policies decide who uses it: the External
# Secrets role (external_secrets_kms_key_arns above) and the shop's administrators.
data "aws_iam_policy_document" "secrets_key" {
  #checkov:skip=CKV_AWS_111:A key policy's "*" is the key itself; granting the account root is AWS's default key policy, which hands the decision to IAM policies.
  #checkov:skip=CKV_AWS_356:Same: in a key policy the only resource is the key.
  #checkov:skip=CKV_AWS_109:Same: the account administers its own key; IAM policies say who uses it.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}
