# The shop's image repository. Release tags are immutable: a tag names one build forever,
# so Git's record of what runs (values-*.yaml) cannot be changed behind its back.
# Only cosign's signature and attestation tags (sha256-<digest>.sig/.att, written next to
# the image they sign) are exempt: cosign re-signs an image by replacing them.
module "ecr" {
  source  = "terraform-aws-modules/ecr/aws"
  version = "3.2.0"

  repository_name = var.name

  repository_image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
  repository_image_tag_mutability_exclusion_filter = [
    { filter = "sha256-*", filter_type = "WILDCARD" },
  ]
  repository_image_scan_on_push = true
  repository_encryption_type    = "KMS"

  # The release role pushes; the nodes pull through their AmazonEC2ContainerRegistryReadOnly.
  repository_read_write_access_arns = [aws_iam_role.github_release.arn]

  create_lifecycle_policy = true
  repository_lifecycle_policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged layers and manifests go after a week"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest 200 tagged images (months of releases, every rollback target)"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = 200
        }
        action = { type = "expire" }
      },
    ]
  })
}

# Buildx's layer cache (release.yml's ECR_CACHE_REPOSITORY): one mutable tag, `buildcache`,
# rewritten by every release. Never pulled by the cluster; nothing in it is deployed.
module "ecr_cache" {
  source  = "terraform-aws-modules/ecr/aws"
  version = "3.2.0"

  repository_name                 = "${var.name}-cache"
  repository_image_tag_mutability = "MUTABLE"
  repository_image_scan_on_push   = false
  repository_encryption_type      = "KMS"
  repository_force_delete         = true

  repository_read_write_access_arns = [aws_iam_role.github_release.arn]

  create_lifecycle_policy = true
  repository_lifecycle_policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Cache layers no longer referenced by the cache manifest"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 3
      }
      action = { type = "expire" }
    }]
  })
}
