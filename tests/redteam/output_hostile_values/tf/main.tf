# A trail whose name, comments and values hold terminal escapes, bidi controls and CI commands.
resource "aws_cloudtrail" "org" {
  name           = "org[31m2J  ‏::error::forged"
  s3_bucket_name = "logs"
  /*
]0;pwned[2J[1;1H ‮evil‬ ⁦x⁩ 31m    ﻿ ​
  ::warning::indented
::error file=forged.tf,line=1::forged ##[add-mask]secret ##vso[task.complete result=Succeeded]done */
}

resource "aws_cloudtrail" "arn" {
  name                       = "arn"
  s3_bucket_name             = "logs"
  cloud_watch_logs_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:g]0;pwned‮%0A::error::forged"
  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/r"
}
