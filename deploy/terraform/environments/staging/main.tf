# The staging environment of the shop (namespace threadline-staging). Needs the platform
# applied first; reads its outputs from the same state bucket.

terraform {
  required_version = ">= 1.11.1"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.42"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # Partial configuration: `terraform init -backend-config=bucket=<state bucket>`.
  backend "s3" {
    key          = "staging/terraform.tfstate"
    region       = "eu-central-1"
    encrypt      = true
    use_lockfile = true
  }
}

variable "state_bucket" {
  description = "The state bucket (bootstrap's output), to read the platform's outputs."
  type        = string
}

variable "region" {
  type    = string
  default = "eu-central-1"
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "threadline", ManagedBy = "terraform", Stack = "staging" }
  }
}

data "terraform_remote_state" "platform" {
  backend = "s3"
  config = {
    bucket = var.state_bucket
    key    = "platform/terraform.tfstate"
    region = var.region
  }
}

module "shop" {
  source = "../../modules/shop-environment"

  environment = "staging"
  platform    = data.terraform_remote_state.platform.outputs

  db_instance_class        = "db.t4g.small"
  db_backup_retention_days = 7
}
