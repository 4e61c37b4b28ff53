# The cluster both environments run in (namespaces threadline-staging and
# threadline-production; Argo CD deploys both to https://kubernetes.default.svc).
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "21.19.0"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets

  # The API endpoint: private inside the VPC, public only for the given CIDRs.
  endpoint_private_access      = true
  endpoint_public_access       = length(var.api_public_cidrs) > 0
  endpoint_public_access_cidrs = var.api_public_cidrs

  # Every control-plane log to CloudWatch (kept a year): who did what, and why a pod was refused.
  enabled_log_types                      = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  cloudwatch_log_group_retention_in_days = 365

  # Secrets envelope-encrypted with a KMS key the module creates (rotation on).
  encryption_config = {
    resources = ["secrets"]
  }
  enable_kms_key_rotation = true

  # Access entries (the EKS API), not the aws-auth ConfigMap.
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = true
  access_entries = {
    for arn in var.cluster_admin_arns : arn => {
      principal_arn = arn
      policy_associations = {
        admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }

  # IRSA for the shop's pods (the chart annotates its ServiceAccount with the role);
  # EKS Pod Identity for the add-ons (addons-iam.tf).
  enable_irsa = true

  addons = {
    vpc-cni = {
      before_compute = true
      # Without this the chart's NetworkPolicy is accepted and silently ignored.
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
      })
    }
    eks-pod-identity-agent = {
      before_compute = true
    }
    coredns    = {}
    kube-proxy = {}
    aws-ebs-csi-driver = {
      # Prometheus' volume (gp3 StorageClass in deploy/argocd/addons/config).
      pod_identity_association = [{
        role_arn        = module.ebs_csi_pod_identity.iam_role_arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }

  eks_managed_node_groups = {
    general = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_instance_types
      min_size       = var.node_min_size
      max_size       = var.node_max_size
      desired_size   = var.node_min_size
      subnet_ids     = module.vpc.private_subnets

      # IMDSv2 only, one hop: pods cannot borrow the node's role through the metadata service.
      metadata_options = {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }

      block_device_mappings = {
        root = {
          device_name = "/dev/xvda"
          ebs = {
            volume_size           = 50
            volume_type           = "gp3"
            encrypted             = true
            delete_on_termination = true
          }
        }
      }

      update_config = {
        max_unavailable_percentage = 33
      }
    }
  }
}
