variable "name" {
  type = string
}

variable "log_group_arn" {
  type        = string
  description = "ARN of the CloudWatch Logs log group the trail delivers to"
}

resource "aws_cloudtrail" "this" {
  name                          = var.name
  s3_bucket_name                = "acme-${var.name}"
  is_multi_region_trail         = true
  cloud_watch_logs_group_arn    = var.log_group_arn
}
