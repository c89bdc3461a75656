# The lake's buckets. Every bucket gets the same baseline (public access blocks, SSE-KMS with one key,
# BucketOwnerEnforced, a TLS-only bucket policy); the raw bucket also gets versioning and the guard statements
# that make it append-only: no overwrite (conditional writes only), no delete, no lifecycle, uploads only under
# incoming/.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  raw_arn    = "arn:${local.partition}:s3:::${var.bucket_names.raw}"
  bucket_arns = {
    for role, name in var.bucket_names : role => "arn:${local.partition}:s3:::${name}"
  }
}

# ------------------------------------------------------------------ encryption key

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:in a key policy Resource * means this key; the statement is the standard account-root administration
  #checkov:skip=CKV_AWS_111:kms:* for the account root is what lets IAM policies grant use of the key
  #checkov:skip=CKV_AWS_356:key policies can only name Resource *, which means the key itself
  statement {
    sid       = "AccountRootAdministersKey"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "Encrypts the lake buckets (${var.bucket_names.raw} and its siblings)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "data" {
  name          = var.kms_alias_name
  target_key_id = aws_kms_key.data.key_id
}

# ------------------------------------------------------------------ buckets and their baseline

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV2_AWS_6:false positive: aws_s3_bucket_public_access_block.this (same for_each) blocks all four; S3-BASELINE proves it
  #checkov:skip=CKV_AWS_145:false positive: aws_s3_bucket_server_side_encryption_configuration.this sets SSE-KMS per bucket; S3-BASELINE proves it
  #checkov:skip=CKV2_AWS_62:only raw triggers the ETL (aws_s3_bucket_notification.raw in the root); the other buckets notify nobody
  #checkov:skip=CKV_AWS_21:raw is versioned (RAW-VERSIONING); curated, quarantine and results are re-derivable from raw, artifacts are content-addressed
  #checkov:skip=CKV2_AWS_61:raw must never expire (RAW-NO-EXPIRY); the derived buckets have no retention requirement yet
  #checkov:skip=CKV_AWS_144:single-region lake; raw is protected by versioning and the overwrite guard
  #checkov:skip=CKV_AWS_18:follow-up: server access logs need a dedicated log bucket; CloudTrail data events are the intended audit trail
  for_each = var.bucket_names

  bucket        = each.value
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

# Raw keeps every version of every object: replay always reads the exact bytes that arrived.
resource "aws_s3_bucket_versioning" "raw" {
  bucket = aws_s3_bucket.this["raw"].id

  versioning_configuration {
    status = "Enabled"
  }
}

# ------------------------------------------------------------------ bucket policies

data "aws_iam_policy_document" "tls_only" {
  for_each = var.bucket_names

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arns[each.key], "${local.bucket_arns[each.key]}/*"]

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

data "aws_iam_policy_document" "raw_guard" {
  # An existing key can never be written again: every PutObject must be a conditional create
  # (If-None-Match: *), which S3 refuses when the key exists.
  statement {
    sid       = "DenyOverwrite"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${local.raw_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Null"
      variable = "s3:if-none-match"
      values   = ["true"]
    }
  }

  statement {
    sid       = "DenyDeleteAndExpiry"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration"]
    resources = [local.raw_arn, "${local.raw_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }

  statement {
    sid           = "DenyWritesOutsideIncoming"
    effect        = "Deny"
    actions       = ["s3:PutObject"]
    not_resources = ["${local.raw_arn}/incoming/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.uploader_principal_arns) > 0 ? [1] : []

    content {
      sid       = "DenyUndeclaredUploaders"
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = ["${local.raw_arn}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = var.uploader_principal_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.uploader_principal_arns) > 0 ? [1] : []

    content {
      sid       = "AllowDeclaredUploaders"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${local.raw_arn}/incoming/*"]

      principals {
        type        = "AWS"
        identifiers = var.uploader_principal_arns
      }
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = var.bucket_names

  source_policy_documents = concat(
    [data.aws_iam_policy_document.tls_only[each.key].json],
    each.key == "raw" ? [data.aws_iam_policy_document.raw_guard.json] : [],
  )
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  # The public access block must exist first, or S3 may judge the policy before it is in place.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
