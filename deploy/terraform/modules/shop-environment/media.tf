# Product photos and other uploads: one private bucket per environment, versioned
# (an overwritten or deleted photo can be brought back), encrypted, public access blocked,
# served to shoppers through CloudFront (Origin Access Control: only this distribution
# may read). The shop writes through its pods' role (iam.tf).

module "media" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "5.15.4"

  bucket = "${local.name}-media-${data.aws_caller_identity.current.account_id}"

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true

  control_object_ownership = true
  object_ownership         = "BucketOwnerEnforced"

  versioning = {
    enabled = true
  }

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }

  lifecycle_rule = [
    {
      id     = "old-versions"
      status = "Enabled"
      filter = {}
      noncurrent_version_expiration = {
        noncurrent_days = var.media_noncurrent_days
      }
      abort_incomplete_multipart_upload_days = 7
    },
  ]

  attach_deny_insecure_transport_policy = true
  attach_policy                         = true
  policy                                = data.aws_iam_policy_document.media_cloudfront.json
}

data "aws_iam_policy_document" "media_cloudfront" {
  statement {
    sid       = "CloudFrontReads"
    actions   = ["s3:GetObject"]
    resources = ["${module.media.s3_bucket_arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.media.arn]
    }
  }
}

resource "aws_cloudfront_origin_access_control" "media" {
  name                              = "${local.name}-media"
  description                       = "CloudFront reads ${local.name}'s media bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_response_headers_policy" "security" {
  name = "Managed-SecurityHeadersPolicy"
}

resource "aws_cloudfront_distribution" "media" {
  #checkov:skip=CKV_AWS_68:No WAF in front of static media: nothing to inject into, and a WebACL costs per request; the shop's own pages are behind the ingress.
  #checkov:skip=CKV_AWS_86:Access logs of product photos are not worth a log bucket; CloudFront's standard metrics are on.
  #checkov:skip=CKV_AWS_310:No origin failover: a single bucket in one region; S3's availability is the media's.
  #checkov:skip=CKV_AWS_374:Shoppers come from anywhere; no geo restriction.
  #checkov:skip=CKV2_AWS_47:No WAF (see CKV_AWS_68), so no Log4j rule set.
  #checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate allows only what CloudFront's default policy does; a custom domain with TLSv1.2_2021 is the runbook's optional step.
  #checkov:skip=CKV_AWS_305:A media CDN has no index page; requests name an object.
  #checkov:skip=CKV2_AWS_42:Same: the default certificate until a custom media domain is wanted.
  enabled         = true
  is_ipv6_enabled = true
  comment         = "${local.name} media"
  price_class     = "PriceClass_100"

  origin {
    origin_id                = "media"
    domain_name              = module.media.s3_bucket_bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.media.id
  }

  default_cache_behavior {
    target_origin_id           = "media"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.optimized.id
    response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
