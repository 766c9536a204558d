# An organisation trail as many teams first write it: the log group exists, but the trail
# passes the bare ARN (no ":*", AWS provider >= 3.0), forgets the delivery role, and the
# log group keeps events for 90 days only.
resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/org"
  retention_in_days = 90
}

resource "aws_cloudtrail" "org" {
  name                          = "org"
  s3_bucket_name                = "acme-org-cloudtrail"
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true

  cloud_watch_logs_group_arn = aws_cloudwatch_log_group.trail.arn
}
