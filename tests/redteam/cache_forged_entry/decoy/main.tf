# Shared tags for the logging account; no trail here.
locals {
  tags = {
    Team        = "security"
    CostCenter  = "4711"
  }
}
