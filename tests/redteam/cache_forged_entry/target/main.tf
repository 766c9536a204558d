resource "aws_s3_bucket" "trail" {
  bucket = "initech-cloudtrail-us-west-2"

  tags = {
    Environment = "staging"
  }
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = aws_s3_bucket.trail.id
  policy = data.aws_iam_policy_document.trail_bucket.json
}

data "aws_iam_policy_document" "trail_bucket" {
  statement {
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.trail.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }

  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.trail.arn}/AWSLogs/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
}

# Only delivers to S3 - nobody wired it to CloudWatch Logs.
resource "aws_cloudtrail" "staging" {
  name                          = "staging-trail"
  s3_bucket_name                = aws_s3_bucket.trail.id
  include_global_service_events = true
  enable_log_file_validation    = true

  tags = {
    Environment = "staging"
  }

  depends_on = [aws_s3_bucket_policy.trail]
}
