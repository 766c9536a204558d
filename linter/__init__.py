"""cloudtrail-lint: every CloudTrail trail must deliver to CloudWatch Logs and keep its logs long enough."""

__version__ = "0.1.0"
