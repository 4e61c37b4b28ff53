# PostgreSQL on RDS: private (database subnets, no public address, only the nodes may
# connect), encrypted, TLS required, point-in-time recovery over the backup window.

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Attached to the RDS instance through the rds module's vpc_security_group_ids, which checkov cannot follow offline.
  name        = "${local.name}-postgres"
  description = "PostgreSQL of ${local.name}: only the EKS nodes (pods use the node's ENIs or branch ENIs in the same group)"
  vpc_id      = var.platform.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_nodes" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the EKS nodes"
  referenced_security_group_id = var.platform.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

# The password never enters the state: an ephemeral value, written only to RDS and to the
# DATABASE_URL secret (write-only arguments), again only when db_password_version changes.
ephemeral "random_password" "database" {
  length  = 40
  special = false # it goes into a URL
}

module "database" {
  source  = "terraform-aws-modules/rds/aws"
  version = "7.2.0"

  identifier = local.name

  engine               = "postgres"
  engine_version       = var.postgres_major_version
  family               = "postgres${var.postgres_major_version}"
  major_engine_version = var.postgres_major_version
  instance_class       = var.db_instance_class

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  db_name  = "threadline"
  username = "threadline"
  port     = 5432

  manage_master_user_password = false
  password_wo                 = ephemeral.random_password.database.result
  password_wo_version         = var.db_password_version

  multi_az               = local.production
  create_db_subnet_group = false
  db_subnet_group_name   = var.platform.database_subnet_group
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false

  # Automated backups: daily snapshot plus transaction logs, so any second of the window
  # can be restored (runbook, "Restore the database to a point in time").
  backup_retention_period  = var.db_backup_retention_days
  backup_window            = "02:00-03:00"
  maintenance_window       = "Sun:03:30-Sun:04:30"
  copy_tags_to_snapshot    = true
  delete_automated_backups = false

  deletion_protection              = local.production
  skip_final_snapshot              = !local.production
  final_snapshot_identifier_prefix = "${local.name}-final"

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  apply_immediately           = false

  iam_database_authentication_enabled   = true
  performance_insights_enabled          = true
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  create_monitoring_role                = true
  monitoring_role_name                  = "${local.name}-rds-monitoring"
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  create_cloudwatch_log_group           = true

  create_db_parameter_group = true
  parameters = [
    { name = "rds.force_ssl", value = "1" },                # TLS or no connection
    { name = "log_min_duration_statement", value = "500" }, # slow queries (ms) in the log
    { name = "log_lock_waits", value = "1" },               # stock locks that wait
    { name = "idle_in_transaction_session_timeout", value = "60000" },
    { name = "jit", value = "0" }, # JIT compiles short OLTP queries for longer than they run
  ]
}
