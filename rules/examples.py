"""Snippets shared by the rules' documentation examples (each example is linted by the tests)."""

TF_LOG_GROUP = '''
resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/org"
  retention_in_days = 365
}
'''

TF_ROLE_ONLY = '''
resource "aws_iam_role" "trail_to_logs" {
  name = "cloudtrail-to-cloudwatch"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "cloudtrail.amazonaws.com" } }]
  })
}
'''

#: The role's permissions policy with ``RESOURCE`` for the resource it allows the two delivery actions on.
TF_ROLE_POLICY = '''
resource "aws_iam_role_policy" "trail_to_logs" {
  name = "deliver"
  role = aws_iam_role.trail_to_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = RESOURCE
    }]
  })
}
'''

TF_ROLE = TF_ROLE_ONLY + TF_ROLE_POLICY.replace("RESOURCE", '"${aws_cloudwatch_log_group.trail.arn}:*"')

TF_GOOD_TRAIL = '''resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn
}
''' + TF_LOG_GROUP + TF_ROLE

CFN_HEAD = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
'''

CFN_LOG_GROUP = '''  TrailLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
'''

CFN_ROLE_ONLY = '''  TrailToLogsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
'''

#: The role's ``Policies`` with ``RESOURCE`` for the resource it allows the two delivery actions on.
CFN_ROLE_POLICIES = '''      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: RESOURCE
'''

CFN_ROLE = CFN_ROLE_ONLY + CFN_ROLE_POLICIES.replace("RESOURCE", "!GetAtt TrailLogGroup.Arn")

CFN_GOOD_TRAIL = CFN_HEAD + '''  OrgTrail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: org-cloudtrail-logs
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn
''' + CFN_LOG_GROUP + CFN_ROLE
