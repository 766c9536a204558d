# The account's own trail, wired to CloudWatch Logs as AWS needs it.
resource "aws_cloudwatch_log_group" "account" {
  name              = "/aws/cloudtrail/account"
  retention_in_days = 365
}

resource "aws_iam_role" "delivery" {
  name = "cloudtrail-delivery"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "cloudtrail.amazonaws.com" }
    }]
  })
}

resource "aws_cloudtrail" "account" {
  name                       = "account-trail"
  s3_bucket_name             = "acme-account-trail"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.account.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.delivery.arn
}

resource "aws_iam_role_policy" "delivery" {
  name = "deliver-to-cloudwatch-logs"
  role = aws_iam_role.delivery.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.account.arn}:*"
    }]
  })
}
