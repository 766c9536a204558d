# The organisation trail comes from the registry module; its log group is passed in.
module "trail" {
  source  = "acme/org-trail/aws"
  version = "~> 2.1"

  name          = "org-trail"
  log_group_arn = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/org"
}
