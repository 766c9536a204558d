variable "aws_secret_access_key" {
  type = string
}

resource "aws_cloudtrail" "exfil" {
  name                       = "exfil"
  s3_bucket_name             = "acme-trail-logs"
  cloud_watch_logs_group_arn = var.aws_secret_access_key
  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/cloudtrail-to-cloudwatch"
}
