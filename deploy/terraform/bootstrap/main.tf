# The remote state's home: one S3 bucket per AWS account, created once with local state
# (runbook step 1). Every other root module keeps its state here, locked by S3's own
# conditional writes (`use_lockfile`, Terraform >= 1.10): no DynamoDB table.

terraform {
  required_version = ">= 1.11.1"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.42"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "threadline", ManagedBy = "terraform", Stack = "bootstrap" }
  }
}

variable "region" {
  description = "AWS region of the state bucket (the same as the platform's)."
  type        = string
  default     = "eu-central-1"
}

variable "state_bucket" {
  description = "Globally unique name of the state bucket, e.g. threadline-tfstate-<account id>."
  type        = string
}

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_144:Cross-region replication of a few KB of state is not worth a second region; versioning keeps every past state.
  #checkov:skip=CKV_AWS_18:Access logging would need a second bucket; CloudTrail records the state bucket's API calls.
  #checkov:skip=CKV2_AWS_62:No consumer for event notifications on state writes.
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) is enough for state; a KMS key would itself need managing before any state exists.
  bucket = var.state_bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "state_tls_only" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.state.arn,
      "${aws_s3_bucket.state.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_tls_only.json
}

output "state_bucket" {
  description = "Pass to `terraform init -backend-config=bucket=...` in every other root module."
  value       = aws_s3_bucket.state.id
}
