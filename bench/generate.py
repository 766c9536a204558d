#!/usr/bin/env python3
"""Generate a synthetic infrastructure repository for benchmarking cloudtrail-lint.

Usage: python bench/generate.py OUT_DIR --modules N [--dense] [--seed S]

Layout written under OUT_DIR:
  modules/mNNNNN/{main,variables,outputs}.tf   one Terraform module per N
  modules/mNNNNN/logging.tf                     some trail modules split their wiring
  cfn/stack-NNNN.{yaml,json}                    about one template per 10 modules
  package.json, .github/workflows/ci.yml, k8s/deployment.yaml, docs/README.md
                                                non-IaC files discovery must skip

About 1 module in 50 and 1 template in 20 define a CloudTrail trail with its
log group and delivery role, cycling through compliant and non-compliant
wirings. ``--dense`` puts several trails and log groups in every .tf file and
every template (worst case). Output is deterministic for a given seed, and the
contents of module i do not depend on N, so a small tree is a prefix of a
larger one.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1

TRAIL_MODULE_EVERY = 50
TEMPLATE_EVERY_MODULES = 10
TRAIL_TEMPLATE_EVERY = 20
JSON_TEMPLATE_EVERY = 4

# Terraform trail wirings, in the order trail modules cycle through them.
TF_VARIANTS = (
    "compliant",
    "missing_role",
    "compliant",
    "retention_30",
    "compliant",
    "bare_arn",
    "no_wiring",
)
# CloudFormation trail wirings, in cycling order.
CFN_VARIANTS = (
    "compliant",
    "missing_role",
    "compliant_sub",
    "retention_30",
    "compliant",
    "no_wiring",
)
COMPLIANT = {"compliant", "compliant_sub"}

SERVICES = (
    "orders",
    "billing",
    "search",
    "auth",
    "media",
    "ingest",
    "reports",
    "notify",
    "catalog",
    "ledger",
    "profile",
    "checkout",
    "audit",
    "export",
)
TEAMS = ("platform", "payments", "growth", "data", "security", "core")
RUNTIMES = ("python3.12", "python3.11", "nodejs20.x", "java21", "provided.al2023")


@dataclass
class Stats:
    """Counts of what was generated, written to the optional manifest."""

    modules: int = 0
    tf_files: int = 0
    cfn_yaml: int = 0
    cfn_json: int = 0
    other_files: int = 0
    bytes: int = 0
    tf_trails: Counter[str] = field(default_factory=Counter)
    cfn_trails: Counter[str] = field(default_factory=Counter)
    log_groups: int = 0


def fill(template: str, **values: object) -> str:
    """Substitute ``%(key)s`` placeholders, leaving HCL/CFN braces untouched."""
    return template % values


def write(path: Path, text: str, stats: Stats) -> None:
    """Write one file and account for its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(data)
    stats.bytes += len(data)


# --------------------------------------------------------------------------
# Terraform building blocks
# --------------------------------------------------------------------------

TF_LOCALS = """locals {
  name_prefix = "${var.project}-${var.environment}-%(service)s"
  common_tags = merge(var.tags, {
    Project     = var.project
    Environment = var.environment
    Service     = "%(service)s"
    Team        = "%(team)s"
    Module      = "%(mod)s"
    ManagedBy   = "terraform"
  })
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

resource "aws_kms_key" "main" {
  description             = "%(service)s data key (%(mod)s)"
  deletion_window_in_days = %(window)d
  enable_key_rotation     = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "RootAccess"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })
  tags = local.common_tags
}
"""

TF_S3 = """
resource "aws_s3_bucket" "%(n)s" {
  bucket        = "${local.name_prefix}-%(n)s-${data.aws_caller_identity.current.account_id}"
  force_destroy = var.force_destroy
  tags          = merge(local.common_tags, { Purpose = "%(n)s" })
}

resource "aws_s3_bucket_versioning" "%(n)s" {
  bucket = aws_s3_bucket.%(n)s.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "%(n)s" {
  bucket = aws_s3_bucket.%(n)s.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "%(n)s" {
  bucket                  = aws_s3_bucket.%(n)s.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""

TF_IAM = """
resource "aws_iam_role" "%(n)s" {
  name = "${local.name_prefix}-%(n)s"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "%(principal)s" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = local.common_tags
}

resource "aws_iam_role_policy" "%(n)s" {
  name   = "${local.name_prefix}-%(n)s"
  role   = aws_iam_role.%(n)s.id
  policy = <<%(marker)s
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [%(actions)s],
      "Resource": "arn:aws:s3:::${local.name_prefix}-*"
    },
    {
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
      "Resource": "${aws_kms_key.main.arn}"
    }
  ]
}
%(marker)s
}
"""

TF_SG = """
resource "aws_security_group" "%(n)s" {
  name        = "${local.name_prefix}-%(n)s"
  description = "%(service)s %(n)s traffic"
  vpc_id      = var.vpc_id

  ingress {
    description = "HTTPS from allowed ranges"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }

  ingress {
    description     = "App port from load balancer"
    from_port       = %(port)d
    to_port         = %(port)d
    protocol        = "tcp"
    security_groups = var.lb_security_group_ids
  }

  dynamic "ingress" {
    for_each = toset(var.extra_ports)
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-%(n)s" })
}
"""

TF_LAMBDA = """
resource "aws_lambda_function" "%(n)s" {
  function_name = "${local.name_prefix}-%(n)s"
  role          = aws_iam_role.%(role)s.arn
  handler       = "%(handler)s"
  runtime       = "%(runtime)s"
  memory_size   = var.lambda_memory_mb
  timeout       = %(timeout)d
  s3_bucket     = var.artifact_bucket
  s3_key        = "${var.project}/%(service)s/%(n)s-${var.artifact_version}.zip"

  environment {
    variables = {
      SERVICE     = "%(service)s"
      ENVIRONMENT = var.environment
      LOG_LEVEL   = var.environment == "prod" ? "INFO" : "DEBUG"
    }
  }

  tracing_config {
    mode = "Active"
  }

  tags = local.common_tags
}

resource "aws_cloudwatch_log_group" "%(n)s_lambda" {
  name              = "/aws/lambda/${local.name_prefix}-%(n)s"
  retention_in_days = %(lambda_retention)d
  tags              = local.common_tags
}
"""

TF_DYNAMO = """
resource "aws_dynamodb_table" "%(n)s" {
  name         = "${local.name_prefix}-%(n)s"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.main.arn
  }

  tags = local.common_tags
}
"""

TF_SQS = """
resource "aws_sqs_queue" "%(n)s_dlq" {
  name                      = "${local.name_prefix}-%(n)s-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.main.id
  tags                      = local.common_tags
}

resource "aws_sqs_queue" "%(n)s" {
  name                       = "${local.name_prefix}-%(n)s"
  visibility_timeout_seconds = %(visibility)d
  kms_master_key_id          = aws_kms_key.main.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.%(n)s_dlq.arn
    maxReceiveCount     = %(receives)d
  })
  tags = local.common_tags
}
"""

TF_ALARM = """
resource "aws_sns_topic" "%(n)s" {
  name              = "${local.name_prefix}-%(n)s"
  kms_master_key_id = aws_kms_key.main.id
}

resource "aws_cloudwatch_metric_alarm" "%(n)s" {
  alarm_name          = "${local.name_prefix}-%(n)s-errors"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  metric_name         = "Errors"
  namespace           = "AWS/Lambda"
  period              = 300
  statistic           = "Sum"
  threshold           = %(threshold)d
  alarm_actions       = [aws_sns_topic.%(n)s.arn]
  tags                = local.common_tags
}
"""

# Trail pieces; %(trail_arn)s / %(trail_role)s / %(retention)d vary by wiring.
TF_TRAIL = """
resource "aws_cloudtrail" "%(n)s" {
  name                          = "${local.name_prefix}-%(n)s"
  s3_bucket_name                = aws_s3_bucket.%(n)s_logs.id
  include_global_service_events = true
  is_multi_region_trail         = %(multi_region)s
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.main.arn
%(wiring)s
  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }

  tags       = local.common_tags
  depends_on = [aws_s3_bucket_policy.%(n)s_logs]
}

resource "aws_s3_bucket" "%(n)s_logs" {
  bucket        = "${local.name_prefix}-%(n)s-logs-${data.aws_caller_identity.current.account_id}"
  force_destroy = false
  tags          = local.common_tags
}

resource "aws_s3_bucket_policy" "%(n)s_logs" {
  bucket = aws_s3_bucket.%(n)s_logs.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "AWSCloudTrailAclCheck",
          "Effect": "Allow",
          "Principal": {"Service": "cloudtrail.amazonaws.com"},
          "Action": "s3:GetBucketAcl",
          "Resource": "${aws_s3_bucket.%(n)s_logs.arn}"
        },
        {
          "Sid": "AWSCloudTrailWrite",
          "Effect": "Allow",
          "Principal": {"Service": "cloudtrail.amazonaws.com"},
          "Action": "s3:PutObject",
          "Resource": "${aws_s3_bucket.%(n)s_logs.arn}/AWSLogs/*",
          "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
        }
      ]
    }
  POLICY
}
"""

TF_TRAIL_WIRING = {
    "compliant": (
        '  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.%(n)s.arn}:*"\n'
        "  cloud_watch_logs_role_arn     = aws_iam_role.%(n)s.arn\n"
    ),
    "missing_role": ('  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.%(n)s.arn}:*"\n'),
    "retention_30": (
        '  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.%(n)s.arn}:*"\n'
        "  cloud_watch_logs_role_arn     = aws_iam_role.%(n)s.arn\n"
    ),
    "bare_arn": (
        "  cloud_watch_logs_group_arn    = aws_cloudwatch_log_group.%(n)s.arn\n"
        "  cloud_watch_logs_role_arn     = aws_iam_role.%(n)s.arn\n"
    ),
    "no_wiring": "",
}

TF_TRAIL_LOGGING = """
resource "aws_cloudwatch_log_group" "%(n)s" {
  name              = "/aws/cloudtrail/${local.name_prefix}-%(n)s"
  retention_in_days = %(retention)d
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

resource "aws_iam_role" "%(n)s" {
  name = "${local.name_prefix}-%(n)s-cwl"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = local.common_tags
}

resource "aws_iam_role_policy" "%(n)s" {
  name = "cloudtrail-to-cloudwatch"
  role = aws_iam_role.%(n)s.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.%(n)s.arn}:*"
    }]
  })
}
"""

TF_VARIABLES = (
    ("project", "string", '"acme"', "Project name used as a prefix for every resource."),
    ("environment", "string", '"%(env)s"', "Deployment environment (dev, staging or prod)."),
    ("vpc_id", "string", '"vpc-%(hex8)s"', "VPC that hosts the service."),
    (
        "allowed_cidrs",
        "list(string)",
        '["10.%(oct)d.0.0/16", "172.16.0.0/12"]',
        "CIDR ranges allowed to reach the service over HTTPS.",
    ),
    (
        "lb_security_group_ids",
        "list(string)",
        "[]",
        "Security groups of the load balancers in front of the service.",
    ),
    ("extra_ports", "list(number)", "[%(port2)d, %(port3)d]", "Additional TCP ports to open."),
    ("force_destroy", "bool", "false", "Allow destroying non-empty buckets (never in prod)."),
    ("lambda_memory_mb", "number", "%(mem)d", "Memory for the service functions, in MB."),
    ("artifact_bucket", "string", '"acme-artifacts"', "Bucket holding deployment packages."),
    ("artifact_version", "string", '"%(ver)s"', "Version of the deployment package to run."),
    ("alarm_email", "string", '"%(team)s-oncall@example.com"', "Where alarms are sent."),
    ("enable_tracing", "bool", "true", "Enable X-Ray tracing."),
    ("retention_days", "number", "%(lambda_retention)d", "Retention of application logs."),
)

TF_VARIABLE = """variable "%(name)s" {
  description = "%(desc)s"
  type        = %(type)s
  default     = %(default)s
}

"""

TF_VARIABLE_VALIDATED = """variable "environment" {
  description = "Deployment environment (dev, staging or prod)."
  type        = string
  default     = "%(env)s"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment must be dev, staging or prod."
  }
}

"""

TF_TAGS_VARIABLE = """variable "tags" {
  description = "Extra tags merged into every resource."
  type        = map(string)
  default = {
    CostCenter = "%(cost)d"
    Owner      = "%(team)s"
    Compliance = "%(compliance)s"
  }
}

variable "scaling" {
  description = "Autoscaling settings for the service."
  type = object({
    min_capacity = number
    max_capacity = number
    target_cpu   = optional(number, 60)
  })
  default = {
    min_capacity = %(min_cap)d
    max_capacity = %(max_cap)d
  }
}

"""

TF_OUTPUT = """output "%(name)s" {
  description = "%(desc)s"
  value       = %(value)s
}

"""


COMMON_OUTPUTS = (
    ("name_prefix", "Prefix used for every resource name in this module.", "local.name_prefix"),
    ("tags", "Tags applied to every resource in this module.", "local.common_tags"),
    ("account_id", "Account the module is deployed to.", "data.aws_caller_identity.current.account_id"),
    ("region", "Region the module is deployed to.", "data.aws_region.current.name"),
    ("kms_key_arn", "ARN of the module's KMS key.", "aws_kms_key.main.arn"),
    ("kms_key_id", "ID of the module's KMS key.", "aws_kms_key.main.key_id"),
    ("environment", "Environment this module instance belongs to.", "var.environment"),
    ("log_retention_days", "Retention of the application log groups, in days.", "var.retention_days"),
)


@dataclass
class TfModule:
    """Text of one Terraform module being assembled."""

    main: list[str] = field(default_factory=list)
    logging: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str, str]] = field(default_factory=list)


def tf_trail(name: str, variant: str, rng: random.Random, stats: Stats) -> tuple[str, str]:
    """Return (trail text, log group + role text) for one Terraform trail."""
    retention = 30 if variant == "retention_30" else rng.choice((365, 365, 400, 731, 1827, 3653))
    values = {
        "n": name,
        "retention": retention,
        "multi_region": rng.choice(("true", "true", "false")),
    }
    wiring = fill(TF_TRAIL_WIRING[variant], **values)
    trail = fill(TF_TRAIL, wiring=wiring, **values)
    logging = fill(TF_TRAIL_LOGGING, **values)
    stats.tf_trails[variant] += 1
    stats.log_groups += 1
    return trail, logging


def module_values(rng: random.Random, mod: str) -> dict[str, object]:
    """Per-module random values shared by all of its files."""
    return {
        "mod": mod,
        "service": rng.choice(SERVICES),
        "team": rng.choice(TEAMS),
        "env": rng.choice(("dev", "staging", "prod")),
        "window": rng.choice((7, 10, 14, 30)),
        "hex8": f"{rng.getrandbits(32):08x}",
        "oct": rng.randrange(0, 255),
        "port2": rng.choice((8443, 9090, 5432)),
        "port3": rng.choice((6379, 9200, 11211)),
        "mem": rng.choice((128, 256, 512, 1024)),
        "ver": f"1.{rng.randrange(0, 40)}.{rng.randrange(0, 20)}",
        "lambda_retention": rng.choice((7, 14, 30, 90)),
        "cost": rng.randrange(1000, 9999),
        "compliance": rng.choice(("pci", "sox", "none", "hipaa")),
        "min_cap": rng.choice((1, 2)),
        "max_cap": rng.choice((4, 8, 16)),
    }


def build_module_main(rng: random.Random, v: dict[str, object]) -> TfModule:
    """Assemble the ordinary (non-trail) resources of a module's main.tf."""
    mod = TfModule()
    mod.main.append(fill(TF_LOCALS, **v))
    mod.outputs.extend(COMMON_OUTPUTS)
    target = rng.randrange(1500, 3400)
    size = len(mod.main[0])
    kinds = ["s3", "iam", "sg", "lambda", "dynamo", "sqs", "alarm"]
    rng.shuffle(kinds)
    used: Counter[str] = Counter()
    role: str | None = None
    i = 0
    while size < target and i < 12:
        kind = kinds[i % len(kinds)]
        i += 1
        used[kind] += 1
        n = {
            "s3": "data",
            "iam": "app",
            "sg": "app",
            "lambda": "worker",
            "dynamo": "items",
            "sqs": "jobs",
            "alarm": "ops",
        }[kind]
        if used[kind] > 1:
            n = f"{n}{used[kind]}"
        if kind == "lambda" and role is None:
            role = "lambda_exec"
            text = fill(
                TF_IAM,
                n=role,
                principal="lambda.amazonaws.com",
                marker="EOF",
                actions='"logs:CreateLogStream", "logs:PutLogEvents"',
            )
            mod.main.append(text)
            size += len(text)
        if kind == "s3":
            text = fill(TF_S3, n=n)
            mod.outputs.append((f"{n}_bucket", f"Name of the {n} bucket.", f"aws_s3_bucket.{n}.bucket"))
        elif kind == "iam":
            principal = rng.choice(("ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "states.amazonaws.com"))
            actions = rng.choice(
                (
                    '"s3:GetObject", "s3:PutObject"',
                    '"s3:ListBucket", "s3:GetObject"',
                    '"s3:GetObject", "cloudtrail:LookupEvents"',
                )
            )
            text = fill(
                TF_IAM,
                n=n,
                principal=principal,
                actions=actions,
                marker=rng.choice(("EOF", "POLICY", "JSON")),
            )
            mod.outputs.append((f"{n}_role_arn", f"ARN of the {n} role.", f"aws_iam_role.{n}.arn"))
        elif kind == "sg":
            text = fill(TF_SG, n=n, port=rng.choice((8080, 8000, 3000, 9000)), **v)
            mod.outputs.append(
                (f"{n}_security_group_id", f"ID of the {n} security group.", f"aws_security_group.{n}.id")
            )
        elif kind == "lambda":
            text = fill(
                TF_LAMBDA,
                n=n,
                role=role,
                handler=rng.choice(("app.handler", "index.handler", "main.lambda_handler")),
                runtime=rng.choice(RUNTIMES),
                timeout=rng.choice((10, 30, 60, 300)),
                **v,
            )
            mod.outputs.append(
                (f"{n}_function_arn", f"ARN of the {n} function.", f"aws_lambda_function.{n}.arn")
            )
            mod.outputs.append(
                (
                    f"{n}_log_group",
                    f"Log group of the {n} function.",
                    f"aws_cloudwatch_log_group.{n}_lambda.name",
                )
            )
        elif kind == "dynamo":
            text = fill(TF_DYNAMO, n=n)
            mod.outputs.append((f"{n}_table_name", f"Name of the {n} table.", f"aws_dynamodb_table.{n}.name"))
        elif kind == "sqs":
            text = fill(
                TF_SQS, n=n, visibility=rng.choice((30, 60, 120, 900)), receives=rng.choice((3, 5, 10))
            )
            mod.outputs.append((f"{n}_queue_url", f"URL of the {n} queue.", f"aws_sqs_queue.{n}.url"))
            mod.outputs.append(
                (f"{n}_dlq_arn", f"ARN of the {n} dead-letter queue.", f"aws_sqs_queue.{n}_dlq.arn")
            )
        else:
            text = fill(TF_ALARM, n=n, threshold=rng.choice((1, 5, 10)))
            mod.outputs.append((f"{n}_topic_arn", f"ARN of the {n} alarm topic.", f"aws_sns_topic.{n}.arn"))
        mod.main.append(text)
        size += len(text)
    return mod


def render_variables(rng: random.Random, v: dict[str, object]) -> str:
    """Render variables.tf."""
    parts = []
    for name, type_, default, desc in TF_VARIABLES:
        if name == "environment" and rng.random() < 0.5:
            parts.append(fill(TF_VARIABLE_VALIDATED, **v))
            continue
        parts.append(fill(TF_VARIABLE, name=name, type=type_, desc=desc, default=fill(default, **v)))
    parts.append(fill(TF_TAGS_VARIABLE, **v))
    return "".join(parts)


def render_outputs(outputs: list[tuple[str, str, str]]) -> str:
    """Render outputs.tf."""
    return "".join(fill(TF_OUTPUT, name=n, desc=d, value=val) for n, d, val in outputs)


def generate_module(root: Path, index: int, seed: int, dense: bool, stats: Stats) -> None:
    """Write module number ``index`` (1-based)."""
    rng = random.Random(f"module:{seed}:{index}")
    name = f"m{index:05d}"
    v = module_values(rng, name)
    mod = build_module_main(rng, v)
    variables = render_variables(rng, v)
    has_trail = index % TRAIL_MODULE_EVERY == TRAIL_MODULE_EVERY // 2
    split = False

    if has_trail and not dense:
        variant = TF_VARIANTS[(index // TRAIL_MODULE_EVERY) % len(TF_VARIANTS)]
        trail, logging = tf_trail("ct", variant, rng, stats)
        split = (index // TRAIL_MODULE_EVERY) % 2 == 1
        mod.main.append(trail)
        (mod.logging if split else mod.main).append(logging)
        mod.outputs.append(("trail_arn", "ARN of the CloudTrail trail.", "aws_cloudtrail.ct.arn"))
        if variant != "no_wiring":
            mod.outputs.append(
                ("trail_log_group_name", "Log group receiving the trail.", "aws_cloudwatch_log_group.ct.name")
            )

    outputs = render_outputs(mod.outputs)
    files = {"main.tf": "".join(mod.main), "variables.tf": variables, "outputs.tf": outputs}
    if split:
        files["logging.tf"] = "".join(mod.logging)

    if dense:
        k = 0
        for fname in list(files):
            extra = []
            for _ in range(rng.randrange(2, 5)):
                variant = TF_VARIANTS[(index + k) % len(TF_VARIANTS)]
                trail, logging = tf_trail(f"ct{k}", variant, rng, stats)
                extra.append(trail + logging)
                k += 1
            files[fname] += "".join(extra)
    elif index % 200 == 7:
        # A stray mention of the resource type that is no trail: grep still matches.
        files["main.tf"] = (
            "# Trails (aws_cloudtrail) live in the security account, not here.\n" + files["main.tf"]
        )

    mdir = root / "modules" / name
    for fname, text in files.items():
        write(mdir / fname, text, stats)
        stats.tf_files += 1
    stats.modules += 1


# --------------------------------------------------------------------------
# CloudFormation
# --------------------------------------------------------------------------

CFN_YAML_HEAD = """AWSTemplateFormatVersion: "2010-09-09"
Description: %(service)s service stack %(num)s (owned by %(team)s)

Parameters:
  Environment:
    Type: String
    Default: %(env)s
    AllowedValues: [dev, staging, prod]
  VpcId:
    Type: AWS::EC2::VPC::Id
  ArtifactBucket:
    Type: String
    Default: acme-artifacts
  AlarmEmail:
    Type: String
    Default: %(team)s-oncall@example.com

Conditions:
  IsProd: !Equals [!Ref Environment, prod]

Mappings:
  SizeMap:
    dev:
      Memory: 256
    staging:
      Memory: 512
    prod:
      Memory: %(mem)d

Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      Description: !Sub "${AWS::StackName} data key"
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: RootAccess
            Effect: Allow
            Principal:
              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
            Action: "kms:*"
            Resource: "*"

  DataBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub "${AWS::StackName}-data-${AWS::AccountId}"
      VersioningConfiguration:
        Status: Enabled
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt DataKey.Arn
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      Tags:
        - Key: Environment
          Value: !Ref Environment
        - Key: Service
          Value: %(service)s

  DeadLetterQueue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
      KmsMasterKeyId: !Ref DataKey

  JobQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: %(visibility)d
      KmsMasterKeyId: !Ref DataKey
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetterQueue.Arn
        maxReceiveCount: 5

  ItemsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
        - AttributeName: sk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
        - AttributeName: sk
          KeyType: RANGE
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: !If [IsProd, true, false]

  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
      Policies:
        - PolicyName: worker
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: !Sub "${DataBucket.Arn}/*"
              - Effect: Allow
                Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
                Resource: !GetAtt JobQueue.Arn
              - Effect: Allow
                Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query]
                Resource: !GetAtt ItemsTable.Arn

  WorkerFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-worker"
      Runtime: %(runtime)s
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      MemorySize: !FindInMap [SizeMap, !Ref Environment, Memory]
      Timeout: 60
      Code:
        ZipFile: |
          import json
          import os

          def handler(event, context):
              records = event.get("Records", [])
              print(json.dumps({"queue": os.environ["QUEUE_URL"], "n": len(records)}))
              return {"batchItemFailures": []}
      Environment:
        Variables:
          QUEUE_URL: !Ref JobQueue
          TABLE_NAME: !Ref ItemsTable
          BUCKET: !Ref DataBucket

  WorkerLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/aws/lambda/${WorkerFunction}"
      RetentionInDays: %(lambda_retention)d

  WorkerEventSource:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt JobQueue.Arn
      FunctionName: !Ref WorkerFunction
      BatchSize: 10

  AppSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Join [" ", [!Ref "AWS::StackName", app traffic]]
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
        - IpProtocol: tcp
          FromPort: %(port)d
          ToPort: %(port)d
          CidrIp: 172.16.0.0/12
"""

CFN_YAML_TRAIL = """
  %(p)sBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub "${AWS::StackName}-%(lp)s-${AWS::AccountId}"

  %(p)sBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref %(p)sBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: AWSCloudTrailAclCheck
            Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: s3:GetBucketAcl
            Resource: !GetAtt %(p)sBucket.Arn
          - Sid: AWSCloudTrailWrite
            Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: s3:PutObject
            Resource: !Sub "${%(p)sBucket.Arn}/AWSLogs/${AWS::AccountId}/*"
            Condition:
              StringEquals:
                s3:x-amz-acl: bucket-owner-full-control

  %(p)sLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/aws/cloudtrail/${AWS::StackName}-%(lp)s"
      RetentionInDays: %(retention)d

  %(p)sLogRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: cloudtrail-to-cloudwatch
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - logs:CreateLogStream
                  - logs:PutLogEvents
                Resource: !GetAtt %(p)sLogGroup.Arn

  %(p)s:
    Type: AWS::CloudTrail::Trail
    DependsOn: %(p)sBucketPolicy
    Properties:
      TrailName: !Sub "${AWS::StackName}-%(lp)s"
      IsLogging: true
      S3BucketName: !Ref %(p)sBucket
      IsMultiRegionTrail: %(multi_region)s
      IncludeGlobalServiceEvents: true
      EnableLogFileValidation: true
%(wiring)s"""

CFN_YAML_WIRING = {
    "compliant": (
        "      CloudWatchLogsLogGroupArn: !GetAtt %(p)sLogGroup.Arn\n"
        "      CloudWatchLogsRoleArn: !GetAtt %(p)sLogRole.Arn\n"
    ),
    "compliant_sub": (
        '      CloudWatchLogsLogGroupArn: !Sub "arn:${AWS::Partition}:logs:${AWS::Region}:'
        '${AWS::AccountId}:log-group:${%(p)sLogGroup}:*"\n'
        "      CloudWatchLogsRoleArn:\n"
        "        Fn::GetAtt: [%(p)sLogRole, Arn]\n"
    ),
    "missing_role": "      CloudWatchLogsLogGroupArn: !GetAtt %(p)sLogGroup.Arn\n",
    "retention_30": (
        "      CloudWatchLogsLogGroupArn: !GetAtt %(p)sLogGroup.Arn\n"
        "      CloudWatchLogsRoleArn: !GetAtt %(p)sLogRole.Arn\n"
    ),
    "no_wiring": "",
}

CFN_YAML_OUTPUTS = """
Outputs:
  BucketName:
    Value: !Ref DataBucket
    Export:
      Name: !Sub "${AWS::StackName}-BucketName"
  QueueUrl:
    Value: !Ref JobQueue
  TableArn:
    Value: !GetAtt ItemsTable.Arn
  FunctionArn:
    Value: !GetAtt WorkerFunction.Arn
    Export:
      Name: !Sub "${AWS::StackName}-WorkerArn"
"""


def cfn_values(rng: random.Random, num: str) -> dict[str, object]:
    """Per-template random values."""
    return {
        "num": num,
        "service": rng.choice(SERVICES),
        "team": rng.choice(TEAMS),
        "env": rng.choice(("dev", "staging", "prod")),
        "mem": rng.choice((1024, 2048)),
        "visibility": rng.choice((60, 120, 900)),
        "runtime": rng.choice(("python3.12", "python3.11")),
        "lambda_retention": rng.choice((7, 14, 30, 90)),
        "port": rng.choice((8080, 8000, 3000)),
    }


def cfn_trail_values(prefix: str, variant: str, rng: random.Random, stats: Stats) -> dict[str, object]:
    """Values describing one CloudFormation trail."""
    stats.cfn_trails[variant] += 1
    stats.log_groups += 1
    return {
        "p": prefix,
        "lp": prefix.lower(),
        "variant": variant,
        "retention": 30 if variant == "retention_30" else rng.choice((365, 400, 731, 3653)),
        "multi_region": rng.choice(("true", "false")),
    }


def render_cfn_yaml(v: dict[str, object], trails: list[dict[str, object]]) -> str:
    """Render a YAML template with short-form intrinsic tags."""
    parts = [fill(CFN_YAML_HEAD, **v)]
    for t in trails:
        wiring = fill(CFN_YAML_WIRING[str(t["variant"])], **t)
        parts.append(fill(CFN_YAML_TRAIL, wiring=wiring, **t))
    parts.append(CFN_YAML_OUTPUTS)
    return "".join(parts)


def sub(text: str) -> dict[str, str]:
    """Long-form Fn::Sub."""
    return {"Fn::Sub": text}


def getatt(name: str, attr: str = "Arn") -> dict[str, list[str]]:
    """Long-form Fn::GetAtt."""
    return {"Fn::GetAtt": [name, attr]}


def ref(name: str) -> dict[str, str]:
    """Long-form Ref."""
    return {"Ref": name}


def assume(service: str) -> dict[str, object]:
    """Trust policy for one service principal."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def render_cfn_json(v: dict[str, object], trails: list[dict[str, object]]) -> str:
    """Render a JSON template (long-form intrinsics)."""
    resources: dict[str, object] = {
        "DataBucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": sub("${AWS::StackName}-data-${AWS::AccountId}"),
                "VersioningConfiguration": {"Status": "Enabled"},
                "Tags": [
                    {"Key": "Service", "Value": v["service"]},
                    {"Key": "Environment", "Value": ref("Environment")},
                ],
            },
        },
        "JobQueue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": v["visibility"]}},
        "ItemsTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
        },
        "WorkerRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": assume("lambda.amazonaws.com"),
                "Policies": [
                    {
                        "PolicyName": "worker",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["s3:GetObject"],
                                    "Resource": sub("${DataBucket.Arn}/*"),
                                },
                                {
                                    "Effect": "Allow",
                                    "Action": ["dynamodb:Query"],
                                    "Resource": getatt("ItemsTable"),
                                },
                            ],
                        },
                    }
                ],
            },
        },
        "WorkerFunction": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": v["runtime"],
                "Handler": "index.handler",
                "Role": getatt("WorkerRole"),
                "Code": {"S3Bucket": ref("ArtifactBucket"), "S3Key": sub("${AWS::StackName}/worker.zip")},
                "Environment": {"Variables": {"QUEUE_URL": ref("JobQueue")}},
            },
        },
        "WorkerLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub("/aws/lambda/${WorkerFunction}"),
                "RetentionInDays": v["lambda_retention"],
            },
        },
    }
    for t in trails:
        p = str(t["p"])
        variant = str(t["variant"])
        props: dict[str, object] = {
            "IsLogging": True,
            "S3BucketName": ref(f"{p}Bucket"),
            "IsMultiRegionTrail": t["multi_region"] == "true",
            "EnableLogFileValidation": True,
        }
        if variant in ("compliant", "missing_role", "retention_30"):
            props["CloudWatchLogsLogGroupArn"] = getatt(f"{p}LogGroup")
        elif variant == "compliant_sub":
            props["CloudWatchLogsLogGroupArn"] = sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                f"log-group:${{{p}LogGroup}}:*"
            )
        if variant in ("compliant", "compliant_sub", "retention_30"):
            props["CloudWatchLogsRoleArn"] = getatt(f"{p}LogRole")
        resources[f"{p}Bucket"] = {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"}
        resources[f"{p}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub(f"/aws/cloudtrail/${{AWS::StackName}}-{t['lp']}"),
                "RetentionInDays": t["retention"],
            },
        }
        resources[f"{p}LogRole"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": assume("cloudtrail.amazonaws.com"),
                "Policies": [
                    {
                        "PolicyName": "cloudtrail-to-cloudwatch",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                    "Resource": getatt(f"{p}LogGroup"),
                                }
                            ],
                        },
                    }
                ],
            },
        }
        resources[p] = {"Type": "AWS::CloudTrail::Trail", "Properties": props}
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{v['service']} service stack {v['num']} (owned by {v['team']})",
        "Parameters": {
            "Environment": {
                "Type": "String",
                "Default": v["env"],
                "AllowedValues": ["dev", "staging", "prod"],
            },
            "ArtifactBucket": {"Type": "String", "Default": "acme-artifacts"},
        },
        "Resources": resources,
        "Outputs": {
            "BucketName": {"Value": ref("DataBucket")},
            "FunctionArn": {
                "Value": getatt("WorkerFunction"),
                "Export": {"Name": sub("${AWS::StackName}-WorkerArn")},
            },
        },
    }
    return json.dumps(doc, indent=2) + "\n"


def generate_template(root: Path, index: int, seed: int, dense: bool, stats: Stats) -> None:
    """Write CloudFormation template number ``index`` (1-based)."""
    rng = random.Random(f"template:{seed}:{index}")
    num = f"{index:04d}"
    v = cfn_values(rng, num)
    trails: list[dict[str, object]] = []
    if dense:
        for k in range(rng.randrange(2, 5)):
            variant = CFN_VARIANTS[(index + k) % len(CFN_VARIANTS)]
            trails.append(cfn_trail_values(f"Trail{k}", variant, rng, stats))
    elif index % TRAIL_TEMPLATE_EVERY == TRAIL_TEMPLATE_EVERY // 4:
        variant = CFN_VARIANTS[(index // TRAIL_TEMPLATE_EVERY) % len(CFN_VARIANTS)]
        trails.append(cfn_trail_values("AuditTrail", variant, rng, stats))
    is_json = index % JSON_TEMPLATE_EVERY == 0
    if is_json:
        write(root / "cfn" / f"stack-{num}.json", render_cfn_json(v, trails), stats)
        stats.cfn_json += 1
    else:
        ext = "yml" if index % 7 == 0 else "yaml"
        write(root / "cfn" / f"stack-{num}.{ext}", render_cfn_yaml(v, trails), stats)
        stats.cfn_yaml += 1


# --------------------------------------------------------------------------
# Non-IaC files
# --------------------------------------------------------------------------

PACKAGE_JSON = {
    "name": "acme-infra-tools",
    "version": "1.4.2",
    "private": True,
    "scripts": {"lint": "eslint .", "test": "jest", "synth": "cdk synth"},
    "devDependencies": {"aws-cdk": "^2.150.0", "eslint": "^9.8.0", "jest": "^29.7.0"},
}

WORKFLOW = """name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  terraform:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: 1.9.5
      - run: terraform fmt -check -recursive
      - run: |
          for dir in modules/*/; do
            terraform -chdir="$dir" init -backend=false
            terraform -chdir="$dir" validate
          done
  cloudformation:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install cfn-lint
      - run: cfn-lint "cfn/**/*.yaml"
"""

K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  namespace: orders
  labels:
    app: orders-api
spec:
  replicas: 3
  selector:
    matchLabels:
      app: orders-api
  template:
    metadata:
      labels:
        app: orders-api
    spec:
      containers:
        - name: api
          image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.8.0
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              memory: 512Mi
---
apiVersion: v1
kind: Service
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    app: orders-api
  ports:
    - port: 80
      targetPort: 8080
"""

DOCS = """# Infrastructure

Terraform modules live in `modules/`, CloudFormation stacks in `cfn/`.
Every trail must deliver to CloudWatch Logs with at least 365 days of retention.
"""


def generate_other(root: Path, stats: Stats) -> None:
    """Write the non-IaC files that discovery must skip."""
    files = {
        "package.json": json.dumps(PACKAGE_JSON, indent=2) + "\n",
        ".github/workflows/ci.yml": WORKFLOW,
        "k8s/deployment.yaml": K8S,
        "docs/README.md": DOCS,
    }
    for rel, text in files.items():
        write(root / rel, text, stats)
        stats.other_files += 1


def generate(out: Path, modules: int, dense: bool, seed: int) -> Stats:
    """Generate the whole tree into ``out`` (which must not exist or be empty)."""
    stats = Stats()
    for i in range(1, modules + 1):
        generate_module(out, i, seed, dense, stats)
    templates = max(1, modules // TEMPLATE_EVERY_MODULES) if modules else 0
    for j in range(1, templates + 1):
        generate_template(out, j, seed, dense, stats)
    generate_other(out, stats)
    return stats


def manifest(stats: Stats, modules: int, dense: bool, seed: int) -> dict[str, object]:
    """Describe the generated tree (parameters and counts)."""
    tf_compliant = sum(c for k, c in stats.tf_trails.items() if k in COMPLIANT)
    cfn_compliant = sum(c for k, c in stats.cfn_trails.items() if k in COMPLIANT)
    return {
        "generator_version": GENERATOR_VERSION,
        "params": {"modules": modules, "dense": dense, "seed": seed},
        "modules": stats.modules,
        "tf_files": stats.tf_files,
        "cfn_yaml": stats.cfn_yaml,
        "cfn_json": stats.cfn_json,
        "other_files": stats.other_files,
        "bytes": stats.bytes,
        "tf_trails": dict(sorted(stats.tf_trails.items())),
        "cfn_trails": dict(sorted(stats.cfn_trails.items())),
        "trails": sum(stats.tf_trails.values()) + sum(stats.cfn_trails.values()),
        "compliant_trails": tf_compliant + cfn_compliant,
        "trail_log_groups": stats.log_groups,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("out_dir", type=Path, help="directory to create")
    ap.add_argument("--modules", type=int, required=True, help="number of Terraform modules")
    ap.add_argument(
        "--dense", action="store_true", help="worst case: several trails and log groups in every file"
    )
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    ap.add_argument("--manifest", type=Path, help="also write counts as JSON to this file")
    args = ap.parse_args(argv)

    if args.modules < 0:
        ap.error("--modules must be >= 0")
    out: Path = args.out_dir
    if out.exists() and any(out.iterdir()):
        if not args.force:
            ap.error(f"{out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)

    stats = generate(out, args.modules, args.dense, args.seed)
    info = manifest(stats, args.modules, args.dense, args.seed)
    if args.manifest:
        args.manifest.parent.mkdir(parents=True, exist_ok=True)
        args.manifest.write_text(json.dumps(info, indent=2) + "\n")
    print(
        f"{out}: {info['modules']} modules, {info['tf_files']} .tf files, "
        f"{stats.cfn_yaml + stats.cfn_json} templates, {info['trails']} trails "
        f"({info['compliant_trails']} compliant), {stats.bytes / 1e6:.1f} MB",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
