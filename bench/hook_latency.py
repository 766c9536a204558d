#!/usr/bin/env python3
"""Measure pre-commit latency: cloudtrail-lint (and checkov) on one small file.

Usage: python bench/hook_latency.py [--runs 5] [--linter PATH] [--checkov PATH]
                                    [--skip-checkov] [--json FILE] [--keep]

Writes a small Terraform module (trail in main.tf; log group and delivery role
in logging.tf) and a small CloudFormation template to a temp dir, then times,
from that dir as pre-commit would, ``cloudtrail-lint module/main.tf`` and
``cloudtrail-lint template.yaml`` (plus checkov -f on the same files when
available): one warm-up run, then the median of --runs runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from run import (
    CHECKOV_CHECKS,
    CHECKOV_OK,
    DEFAULT_CHECKOV,
    LINTER_OK,
    capture,
    checkov_env,
    find_linter,
    measure,
    raise_on_sigterm,
)

TARGET_TF_S = 0.3
TARGET_TEMPLATE_S = 0.5

MAIN_TF = """data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "trail" {
  bucket = "acme-audit-trail-${data.aws_caller_identity.current.account_id}"
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = aws_s3_bucket.trail.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.trail.arn
      },
      {
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.trail.arn}/AWSLogs/*"
      },
    ]
  })
}

resource "aws_cloudtrail" "main" {
  name                          = "acme-audit"
  s3_bucket_name                = aws_s3_bucket.trail.id
  include_global_service_events = true
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.trail.arn
  depends_on                    = [aws_s3_bucket_policy.trail]
}
"""

LOGGING_TF = """resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/acme-audit"
  retention_in_days = 365
}

resource "aws_iam_role" "trail" {
  name = "acme-audit-cloudtrail-to-cwl"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "trail" {
  name = "cloudtrail-to-cloudwatch"
  role = aws_iam_role.trail.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.trail.arn}:*"
    }]
  })
}
"""

TEMPLATE_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Description: Audit trail delivered to CloudWatch Logs

Resources:
  TrailBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain

  TrailBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref TrailBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: s3:GetBucketAcl
            Resource: !GetAtt TrailBucket.Arn
          - Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: s3:PutObject
            Resource: !Sub "${TrailBucket.Arn}/AWSLogs/${AWS::AccountId}/*"

  TrailLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/aws/cloudtrail/${AWS::StackName}"
      RetentionInDays: 365

  TrailLogRole:
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
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogGroup.Arn

  Trail:
    Type: AWS::CloudTrail::Trail
    DependsOn: TrailBucketPolicy
    Properties:
      IsLogging: true
      S3BucketName: !Ref TrailBucket
      IsMultiRegionTrail: true
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailLogRole.Arn
"""


@dataclass
class Timing:
    """Latency of one command over several runs."""

    name: str
    command: list[str]
    runs: list[float]
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mb: float
    exit_codes: list[int]
    ok: bool
    target_s: float | None = None


def write_inputs(root: Path) -> None:
    """Write the small module and template under ``root``."""
    (root / "module").mkdir(parents=True, exist_ok=True)
    (root / "module" / "main.tf").write_text(MAIN_TF)
    (root / "module" / "logging.tf").write_text(LOGGING_TF)
    (root / "template.yaml").write_text(TEMPLATE_YAML)


def time_command(
    name: str,
    cmd: list[str],
    cwd: Path,
    runs: int,
    ok_codes: set[int],
    env: dict[str, str] | None = None,
    target: float | None = None,
) -> Timing:
    """One warm-up run, then ``runs`` timed runs of ``cmd`` in ``cwd``."""
    out, err = cwd / ".bench.out", cwd / ".bench.err"
    print(f"{name}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    measure(cmd, out, err, env=env, cwd=cwd, timeout=600)
    samples = [measure(cmd, out, err, env=env, cwd=cwd, timeout=600) for _ in range(runs)]
    walls = [m.wall_s for m in samples]
    codes = [m.exit_code for m in samples]
    ok = all(c in ok_codes and not m.timed_out for c, m in zip(codes, samples))
    if not ok:
        print(f"  {name} failed (exit {codes}): {err.read_text(errors='replace')[-500:]}", file=sys.stderr)
    return Timing(
        name=name,
        command=cmd,
        runs=walls,
        median_s=statistics.median(walls),
        min_s=min(walls),
        max_s=max(walls),
        peak_rss_mb=max(m.peak_rss_mb for m in samples),
        exit_codes=codes,
        ok=ok,
        target_s=target,
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    raise_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    ap.add_argument("--linter", help="cloudtrail-lint executable (default: cloudtrail-lint on PATH)")
    ap.add_argument("--checkov", help="checkov executable (default: bench/.checkov-venv/bin/checkov)")
    ap.add_argument("--skip-checkov", action="store_true", help="do not time checkov")
    ap.add_argument("--json", type=Path, help="also write the timings to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with the inputs")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    linter = find_linter(args.linter)
    checkov: str | None = None
    if not args.skip_checkov:
        checkov = args.checkov or (str(DEFAULT_CHECKOV) if DEFAULT_CHECKOV.exists() else None)
        if checkov and not (Path(checkov).exists() or shutil.which(checkov)):
            checkov = None
        if checkov is None:
            print("checkov not found (run bash bench/setup_checkov.sh): skipped", file=sys.stderr)
    if linter is None:
        print("cloudtrail-lint not found (PATH, --linter, .venv): linter timings skipped", file=sys.stderr)

    root = Path(tempfile.mkdtemp(prefix="ctl-hook-"))
    try:
        write_inputs(root)
        timings: list[Timing] = [
            time_command("python startup (floor)", [sys.executable, "-c", "pass"], root, args.runs, {0})
        ]
        if linter:
            linter_version = capture([linter, "--version"])[1].strip()
            timings.append(
                time_command(
                    "cloudtrail-lint one .tf",
                    [linter, "module/main.tf"],
                    root,
                    args.runs,
                    LINTER_OK,
                    target=TARGET_TF_S,
                )
            )
            timings.append(
                time_command(
                    "cloudtrail-lint one template",
                    [linter, "template.yaml"],
                    root,
                    args.runs,
                    LINTER_OK,
                    target=TARGET_TEMPLATE_S,
                )
            )
        else:
            linter_version = ""
        if checkov:
            flags = ["--check", CHECKOV_CHECKS, "--skip-download", "--quiet", "--compact", "-o", "json"]
            env = checkov_env()
            timings.append(
                time_command(
                    "checkov -f one .tf",
                    [checkov, "-f", "module/main.tf", *flags],
                    root,
                    args.runs,
                    CHECKOV_OK,
                    env,
                )
            )
            timings.append(
                time_command(
                    "checkov -f one template",
                    [checkov, "-f", "template.yaml", *flags],
                    root,
                    args.runs,
                    CHECKOV_OK,
                    env,
                )
            )
    finally:
        if args.keep:
            print(f"inputs kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)

    name_w = max(len(t.name) for t in timings)
    print(f"\n{'command':<{name_w}}  median s   min s   max s  peak RSS MB  exit  target")
    for t in timings:
        verdict = ""
        if t.target_s is not None:
            verdict = f"< {t.target_s:.1f}s " + ("PASS" if t.ok and t.median_s < t.target_s else "FAIL")
        print(
            f"{t.name:<{name_w}}  {t.median_s:8.3f}  {t.min_s:6.3f}  {t.max_s:6.3f}  "
            f"{t.peak_rss_mb:11.1f}  {','.join(map(str, sorted(set(t.exit_codes)))):>4}  {verdict}"
        )
    if args.json:
        doc = {
            "runs": args.runs,
            "linter": linter,
            "linter_version": linter_version,
            "checkov": checkov,
            "timings": [asdict(t) for t in timings],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
    return 0 if all(t.ok for t in timings) else 1


if __name__ == "__main__":
    sys.exit(main())
