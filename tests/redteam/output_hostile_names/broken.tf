resource "aws_cloudtrail" "t" {
  x = = 1
}
