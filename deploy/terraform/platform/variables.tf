variable "region" {
  description = "AWS region of the platform (three availability zones are used)."
  type        = string
  default     = "eu-central-1"
}

variable "azs" {
  description = "The three availability zones, named once: a zone AWS adds later never moves a subnet."
  type        = list(string)
  default     = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
  validation {
    condition     = length(var.azs) == 3
    error_message = "Three availability zones: the database's Multi-AZ standby and the nodes spread over them."
  }
}

variable "name" {
  description = "Name of the cluster and prefix of everything else."
  type        = string
  default     = "threadline"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version: the one tests/deploy validates the manifests against."
  type        = string
  default     = "1.35"
}

variable "vpc_cidr" {
  description = "The VPC's address range; split into public, private and database subnets per AZ."
  type        = string
  default     = "10.40.0.0/16"
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose release workflow may push images."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository is owner/name, e.g. threadline/threadline: no wildcard, no URL."
  }
}

variable "github_release_refs" {
  description = "Git refs whose workflows may assume the release role (GitHub's OIDC `sub` claim)."
  type        = list(string)
  default     = ["refs/heads/main"]
}

variable "domain" {
  description = "The shop's domain: a Route 53 public hosted zone that already exists in this account."
  type        = string
}

variable "cluster_admin_arns" {
  description = "IAM principals (roles or users) given cluster-admin through EKS access entries."
  type        = list(string)
  default     = []
}

variable "api_public_cidrs" {
  description = "Who may reach the EKS API endpoint from the internet (operators, CI). Empty: private only."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the managed node group (Graviton: the image is built for arm64 too)."
  type        = list(string)
  default     = ["m7i.large"]
}

variable "node_min_size" {
  type    = number
  default = 3
}

variable "node_max_size" {
  type    = number
  default = 9
}
