# GitHub Actions pushes the shop's image with short-lived credentials: GitHub's OIDC
# provider, and a role that only the release workflow of this repository, on main, may
# assume, and that may only push to the shop's ECR repository.

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "github_release_trust" {
  statement {
    sid     = "GitHubReleaseWorkflow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    # Exact subjects, no wildcard: this repository, these refs (main), and the release
    # workflow file itself. IAM can only test `sub`, so the repository's OIDC subject
    # template includes job_workflow_ref (runbook step 2: `gh api ... oidc/customization/sub`).
    # Forks, pull requests and any other workflow get other subjects and are refused.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values = [
        for ref in var.github_release_refs :
        "repo:${var.github_repository}:ref:${ref}:job_workflow_ref:${var.github_repository}/.github/workflows/release.yml@${ref}"
      ]
    }
  }
}

resource "aws_iam_role" "github_release" {
  name                 = "${var.name}-github-release"
  description          = "Assumed by ${var.github_repository}'s release workflow to push the shop's image"
  assume_role_policy   = data.aws_iam_policy_document.github_release_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_release_push" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action has no resource-level form
  }
  statement {
    sid = "PushTheShopImageAndItsBuildCache"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [module.ecr.repository_arn, module.ecr_cache.repository_arn]
  }
}

resource "aws_iam_role_policy" "github_release_push" {
  name   = "push-shop-image"
  role   = aws_iam_role.github_release.id
  policy = data.aws_iam_policy_document.github_release_push.json
}
