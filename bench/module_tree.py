"""Evaluation stays linear in the size of a Terraform module tree.

Generates a root module that calls N local modules (each passing a log group ARN and a role down
two more levels and defining a trail in one of ten) plus a chain of N/4 modules that hands the
values down one level at a time, then times ``cloudtrail-lint`` on it for several N.

    python bench/module_tree.py [--sizes 100,200,400] [--linter cloudtrail-lint]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

LEAF = '''
variable "log_group_arn" {
  type = string
}

variable "role_arn" {
  type = string
}

variable "with_trail" {
  type    = bool
  default = false
}

resource "aws_cloudtrail" "this" {
  count                      = var.with_trail ? 1 : 0
  name                       = "trail"
  s3_bucket_name             = "acme-trail"
  cloud_watch_logs_group_arn = var.log_group_arn
  cloud_watch_logs_role_arn  = var.role_arn
}

output "log_group_arn" {
  value = var.log_group_arn
}
'''

SERVICE = '''
variable "log_group_arn" {{
  type = string
}}

variable "role_arn" {{
  type = string
}}

locals {{
  tags = {{ service = "svc-{i}", team = "team-{team}" }}
}}

resource "aws_s3_bucket" "data" {{
  bucket = "acme-svc-{i}"
  tags   = local.tags
}}

module "leaf" {{
  source        = "../leaf"
  log_group_arn = var.log_group_arn
  role_arn      = var.role_arn
  with_trail    = {with_trail}
}}

output "log_group_arn" {{
  value = module.leaf.log_group_arn
}}
'''

CHAIN = '''
variable "log_group_arn" {{
  type = string
}}

module "next" {{
  source        = "../chain-{nxt}"
  log_group_arn = var.log_group_arn
}}

output "log_group_arn" {{
  value = module.next.log_group_arn
}}
'''

CHAIN_END = '''
variable "log_group_arn" {
  type = string
}

output "log_group_arn" {
  value = var.log_group_arn
}
'''

ROOT_HEAD = '''
resource "aws_cloudwatch_log_group" "org" {
  name              = "/aws/cloudtrail/org"
  retention_in_days = 90
}

resource "aws_iam_role" "delivery" {
  name               = "cloudtrail-delivery"
  assume_role_policy = "{}"
}

resource "aws_cloudtrail" "chained" {
  name                       = "chained"
  s3_bucket_name             = "acme-trail"
  cloud_watch_logs_group_arn = "${module.chain.log_group_arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.delivery.arn
}

module "chain" {
  source        = "./modules/chain-0"
  log_group_arn = aws_cloudwatch_log_group.org.arn
}
'''


def generate(root: Path, n: int) -> int:
    """Write the tree; return the number of module folders."""
    modules = root / "modules"
    (modules / "leaf").mkdir(parents=True)
    (modules / "leaf" / "main.tf").write_text(LEAF)
    calls = [ROOT_HEAD]
    for i in range(n):
        folder = modules / f"svc-{i}"
        folder.mkdir()
        (folder / "main.tf").write_text(SERVICE.format(i=i, team=i % 7, with_trail=str(i % 10 == 0).lower()))
        calls.append(
            f'module "svc_{i}" {{\n  source        = "./modules/svc-{i}"\n'
            '  log_group_arn = "${aws_cloudwatch_log_group.org.arn}:*"\n'
            "  role_arn      = aws_iam_role.delivery.arn\n}\n"
        )
    depth = max(n // 4, 1)
    for i in range(depth):
        folder = modules / f"chain-{i}"
        folder.mkdir()
        text = CHAIN.format(nxt=i + 1) if i + 1 < depth else CHAIN_END
        (folder / "main.tf").write_text(text)
    (root / "main.tf").write_text("\n".join(calls))
    return n + depth + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,200,400")
    parser.add_argument("--linter", default="cloudtrail-lint")
    args = parser.parse_args()
    linter = shutil.which(args.linter) or args.linter
    print(f"{'modules':>8} {'trails':>7} {'seconds':>8} {'ms/module':>10}")
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folders = generate(Path(tmp), n)
            start = time.perf_counter()
            proc = subprocess.run([linter, "--format", "json", "--no-cache", tmp] if _has_no_cache(linter)
                                  else [linter, "--format", "json", tmp], capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            import json

            report = json.loads(proc.stdout)
            print(f"{folders:>8} {report['summary']['trails']:>7} {elapsed:>8.2f} {1000 * elapsed / folders:>10.2f}")


def _has_no_cache(linter: str) -> bool:
    return "--no-cache" in subprocess.run([linter, "--help"], capture_output=True, text=True).stdout


if __name__ == "__main__":
    main()
