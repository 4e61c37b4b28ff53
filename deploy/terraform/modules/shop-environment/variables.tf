variable "environment" {
  description = "staging or production: names, the namespace threadline-<environment>, the protections."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment is staging or production."
  }
}

variable "platform" {
  description = "Outputs of deploy/terraform/platform (terraform_remote_state)."
  type = object({
    region                 = string
    vpc_id                 = string
    vpc_cidr               = string
    database_subnet_group  = string
    node_security_group_id = string
    oidc_provider_arn      = string
    secrets_kms_key_arn    = string
  })
}

variable "postgres_major_version" {
  description = "PostgreSQL major version: the one docs/decisions.md declares for compose, tests and RDS."
  type        = string
  default     = "15"
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "GiB at creation; storage autoscaling grows it up to db_max_allocated_storage."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  type    = number
  default = 200
}

variable "db_backup_retention_days" {
  description = "Automated backups and point-in-time recovery window, in days (7 to 35)."
  type        = number
  default     = 14
  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "Point-in-time recovery must reach back at least 7 days (RDS allows up to 35)."
  }
}

variable "db_password_version" {
  description = "Bump to generate a new database password and write it to RDS and Secrets Manager together (runbook, Rotate a secret)."
  type        = number
  default     = 1
}

variable "media_noncurrent_days" {
  description = "Days a replaced or deleted media object's old version is kept (S3 versioning)."
  type        = number
  default     = 90
}
