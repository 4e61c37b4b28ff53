# The platform: what the whole account shares (VPC, EKS, ECR, the GitHub role, the
# add-ons' AWS roles). One per AWS account; the shop's environments are separate roots
# (../environments/*) that read this one's outputs.

terraform {
  # Write-only arguments and ephemeral values (no secret in the state) need 1.11.
  required_version = ">= 1.11.1"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.42"
    }
  }

  # Partial configuration: `terraform init -backend-config=bucket=<state bucket>`.
  backend "s3" {
    key          = "platform/terraform.tfstate"
    region       = "eu-central-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}
