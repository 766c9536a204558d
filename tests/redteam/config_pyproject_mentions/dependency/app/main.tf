resource "aws_cloudtrail" "org" {
  name                          = "org"
  s3_bucket_name                = "acme-org-trail"
  include_global_service_events = true
  is_multi_region_trail         = true
}
