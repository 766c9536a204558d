"""The Terraform evaluator (linter/resolver/terraform.py) on small modules written for one behaviour each:
what a trail's values become, which conditions it is checked under, and what cannot be known. The
scenario folders cover the common paths; these pin the edges mutation testing found unguarded
(docs/testing.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import lint

GROUP = """
resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/org"
  retention_in_days = 365
}
"""

TRAIL = """
resource "aws_cloudtrail" "org" {{
  {meta}
  name                       = "org"
  s3_bucket_name             = "acme-cloudtrail"
  cloud_watch_logs_group_arn = {group}
  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch"
}}
"""


def trail(group: str = '"${aws_cloudwatch_log_group.trail.arn}:*"', meta: str = "") -> str:
    return TRAIL.format(group=group, meta=meta)


def findings(root: Path, files: dict[str, str], *args: str) -> list[dict]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    result = lint(root, "--format", "json", *args, ".")
    assert result.exit_code in (0, 1), result.stderr
    # the literal role ARN is not in the code: its delivery is not checked (a note tested elsewhere)
    return [f for f in result.json["findings"] if f["kind"] != "delivery-unresolved"]


def kinds(root: Path, files: dict[str, str], *args: str) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["kind"], f["resource"]) for f in findings(root, files, *args)]


# --------------------------------------------------------------------------- provider version


@pytest.mark.parametrize(("provider", "expected"), [
    ('provider "aws" {\n  region  = "us-east-1"\n  version = "~> 2.70"\n}\n', []),
    ('provider "aws" {\n  region  = "us-east-1"\n  version = "~> 3.0"\n}\n',
     [("CTL004", "group-arn-missing-wildcard", "aws_cloudtrail.org")]),
    ('provider "google" {\n  version = "~> 2.0"\n}\n',
     [("CTL004", "group-arn-missing-wildcard", "aws_cloudtrail.org")]),
])
def test_a_provider_block_version_decides_whether_arn_ends_in_a_wildcard(tmp_path: Path, provider: str,
                                                                         expected: list) -> None:
    """AWS provider 2.x gave aws_cloudwatch_log_group.x.arn a trailing :* (the legacy provider-block form)."""
    files = {"main.tf": provider + GROUP + trail("aws_cloudwatch_log_group.trail.arn")}
    assert kinds(tmp_path, files) == expected


def test_labelled_blocks_that_are_not_module_calls(tmp_path: Path) -> None:
    files = {"main.tf": 'provider "aws" {\n  region = "us-east-1"\n}\n'
                        'check "trail_exists" {\n  assert {\n    condition     = true\n'
                        '    error_message = "x"\n  }\n}\n'
                        + GROUP + trail()}
    assert findings(tmp_path, files) == []


# --------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(("count", "condition"), [
    ("!var.legacy ? 1 : 0", "`var.legacy` is false"),
    ("var.legacy ? 0 : 1", "`var.legacy` is false"),
    ("local.wanted ? 1 : 0", "`var.legacy` is false"),
])
def test_a_trail_counted_on_a_negated_flag(tmp_path: Path, count: str, condition: str) -> None:
    """The root variable has no default: the trail exists when the flag is false, and is checked then."""
    files = {"main.tf": 'variable "legacy" {\n  type = bool\n}\n'
                        'locals {\n  wanted = local.current\n  current = !var.legacy\n}\n'
                        + GROUP.replace("365", "30") + trail(meta=f"count = {count}")}
    [found] = findings(tmp_path, files)
    assert (found["rule"], found["kind"]) == ("CTL003", "retention-too-short")
    assert found["conditions"] == [[condition]]


# --------------------------------------------------------------------------- modules with count and for_each

CHILD = GROUP.replace("365", "var.days").replace("/aws/cloudtrail/org", "/aws/cloudtrail/${var.name}") + trail() + \
    'variable "days" {}\nvariable "name" {}\n'


@pytest.mark.parametrize(("call", "resources"), [
    ('for_each = toset(["a", "b"])\n  name = each.key\n  days = 30',
     ['module.trail["a"].aws_cloudtrail.org', 'module.trail["b"].aws_cloudtrail.org']),
    ('for_each = "${var.names}"\n  name = each.key\n  days = 30',
     ['module.trail["x"].aws_cloudtrail.org']),
    ("count = 2\n  name = count.index\n  days = 30",
     ["module.trail[0].aws_cloudtrail.org", "module.trail[1].aws_cloudtrail.org"]),
    ("count = 2.0\n  name = count.index\n  days = 30",
     ["module.trail[0].aws_cloudtrail.org", "module.trail[1].aws_cloudtrail.org"]),
])
def test_module_instances(tmp_path: Path, call: str, resources: list[str]) -> None:
    files = {"main.tf": f'variable "names" {{\n  default = {{ x = 1 }}\n}}\nmodule "trail" {{\n  source = "./trail"\n'
                        f"  {call}\n}}\n",
             "trail/main.tf": CHILD}
    found = findings(tmp_path, files)
    assert [(f["rule"], f["resource"]) for f in found] == [("CTL003", r) for r in resources]


@pytest.mark.parametrize(("count", "instances"), [("100000000000000000000", "1,000,000,000,000,000,000"),
                                                 ("1001", "1,001")])
def test_module_counts_past_the_budget_are_an_input_error(tmp_path: Path, count: str, instances: str) -> None:
    """The call cannot be evaluated (exit 2, naming the limit); the module folder is still linted on its own."""
    (tmp_path / "trail").mkdir()
    (tmp_path / "trail" / "main.tf").write_text(CHILD)
    (tmp_path / "main.tf").write_text(
        f'module "trail" {{\n  source = "./trail"\n  count = {count}\n  name = "x"\n  days = 30\n}}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    message = f"evaluation limit reached: module.trail has {instances} instances, more than 1,000"
    assert result.json["errors"] == [{"file": "main.tf", "line": 1, "message": message}]


# --------------------------------------------------------------------------- provider constraints


@pytest.mark.parametrize(("constraint", "below"), [
    ("~> 2.70", True), ("~> 2.0", True), ("~> 3.0", False), ("~> 5.0", False),
    (">= 2.0, < 3.0", True), (">= 2.0,< 3", True), ("< 3.0.0", True), ("< 3.0.5", False), ("< 3.1", False),
    ("< 4", False), ("<= 2.99", True), ("<= 3.0", False), ("= 2.70.0", True), ("2.70.0", True), ("v2.5", True),
    ("3.0.0", False), (">= 2.0", False), ("> 2.0", False), ("!= 3.0", False), (">= 3.0", False), ("", False),
    ("latest", False), (">= 2.0, != 2.5", False), ("latest, < 3.0", True),
])
def test_which_constraints_pin_the_aws_provider_below_3(constraint: str, below: bool) -> None:
    from cloudtrail_lint.resolver.terraform import _below_v3

    assert _below_v3(constraint) is below


# --------------------------------------------------------------------------- expressions


def evaluate(expression: str) -> object:
    from cloudtrail_lint.frontends.hcl import parse_hcl
    from cloudtrail_lint.resolver.common import Unknown
    from cloudtrail_lint.resolver.terraform import Evaluator

    value = Evaluator().eval(parse_hcl(f"x = {expression}\n", "t.tf").attrs["x"].expr, {})
    return f"unknown: {value.reason}" if isinstance(value, Unknown) else value


NOT_EVALUATED = "unknown: function timestamp() is not evaluated"


@pytest.mark.parametrize(("expression", "value"), [
    ("1 + 2", 3), ("7 - 2", 5), ("3 * 4", 12), ("7 / 2", 3.5), ("7 % 3", 1), ('"1" + 2', 3), ("-3", -3),
    ("2 < 3", True), ("3 < 3", False), ("3 <= 3", True), ("4 <= 3", False), ("4 > 3", True), ("3 > 3", False),
    ("3 >= 3", True), ("2 >= 3", False), ("1 == 1.0", True), ('"a" != "b"', True), ('"a" != "a"', False),
    ("null == null", True), ("true ? 1 : 2", 1), ("false ? 1 : 2", 2), ("!true", False), ("!false", True),
    ("true && true", True), ("true && false", False), ("false || false", False), ("false || true", True),
    ("timestamp() && false", False), ("false && timestamp()", False),
    ("timestamp() || true", True), ("true || timestamp()", True),
    ("timestamp() && true", NOT_EVALUATED), ("true && timestamp()", NOT_EVALUATED),
    ("timestamp() || false", NOT_EVALUATED), ("false || timestamp()", NOT_EVALUATED),
    ("timestamp() == 1", NOT_EVALUATED), ("1 != timestamp()", NOT_EVALUATED), ("timestamp() + 1", NOT_EVALUATED),
    ("!timestamp()", NOT_EVALUATED), ("-timestamp()", NOT_EVALUATED),
    ('-"a"', 'unknown: cannot negate -"a"'), ("1 / 0", "unknown: `1 / 0` cannot be computed"),
    ("7 % 0", "unknown: `7 % 0` cannot be computed"), ("true + 1", "unknown: `true + 1` cannot be computed"),
    ('"x" < 1', 'unknown: `"x" < 1` cannot be computed'),
    # a number equals the same number as text (the evaluator applies no variable types, and Terraform
    # converts "30" given to a `number` variable); null is not the empty string
    ('1 == "1"', True), ('"1" == 1', True), ('null == ""', False), ('"" == null', False),
    ('"true" || false', True),
    # what follows [*] applies to each element
    ("[{a = [1, 2]}, {a = [3, 4]}][*].a[1]", [2, 4]),
])
def test_expressions(expression: str, value: object) -> None:
    assert evaluate(expression) == value
    assert type(evaluate(expression)) is type(value)


def test_numbers_up_to_4300_digits() -> None:
    """Python prints integers of at most 4,300 digits; one more bit and the result is unknown."""
    half = 2**14282  # 2 * half has 4,300 digits (14,284 bits)
    assert evaluate(f"2 * {half}") == 2 * half
    assert evaluate(f"4 * {half}") == f"unknown: `4 * {str(half)[:75]}…` is a number with more than 4300 digits"


# --------------------------------------------------------------------------- null module arguments

NULL_CHILD = """
variable "group_arn" {
  default = null
}

resource "aws_cloudwatch_log_group" "this" {
  count             = var.group_arn == null ? 1 : 0
  name              = "/aws/cloudtrail/org"
  retention_in_days = 30
}
""" + trail('var.group_arn == null ? "${aws_cloudwatch_log_group.this[0].arn}:*" : var.group_arn')

NULL_CALLER = """
variable "flag" {
  type = bool
}

data "aws_ssm_parameter" "p" {
  name = "/org/log-group-arn"
}

locals {
  arn = data.aws_ssm_parameter.p.value
}

module "trail" {
  source    = "./trail"
  group_arn = %s
}
"""

WHEN_NULL = "`var.group_arn == null` (in module.trail) is true"
WHEN_SET = "`var.group_arn == null` (in module.trail) is false"


@pytest.mark.parametrize(("argument", "expected"), [
    # written as something that is never null: the caller's value is used, unknown as it is
    ("data.aws_ssm_parameter.p.value", [("CTL010", [])]),
    ("upper(data.aws_ssm_parameter.p.value)", [("CTL010", [])]),
    ('"${data.aws_ssm_parameter.p.value}"', [("CTL010", [])]),
    ("local.arn", [("CTL010", [])]),
    ('"prefix-${data.aws_ssm_parameter.p.value}"', [("CTL010", [])]),
    ("var.flag ? data.aws_ssm_parameter.p.value : upper(data.aws_ssm_parameter.p.value)", [("CTL010", [])]),
    ('var.flag ? "${data.aws_ssm_parameter.p.value}:*" : data.aws_ssm_parameter.p.value', [("CTL010", [])]),
    ('"arn:aws:logs:us-east-1:111122223333:log-group:org"', [("CTL004", [])]),
    # null: the module creates its own log group
    ("null", [("CTL003", [])]),
    # may be null: both
    ("try(data.aws_ssm_parameter.p.value, null)", [("CTL003", [[WHEN_NULL]]), ("CTL010", [[WHEN_SET]])]),
    ("[data.aws_ssm_parameter.p.value][0]", [("CTL003", [[WHEN_NULL]]), ("CTL010", [[WHEN_SET]])]),
    # null on one branch only: both are checked (conservatively: the flag and the null test are branched
    # on separately, so "flag false and argument null" is listed although it cannot happen)
    ("var.flag ? null : data.aws_ssm_parameter.p.value",
     [("CTL003", [["`var.flag` is false", WHEN_NULL], ["`var.flag` is true"]]),
      ("CTL010", [["`var.flag` is false", WHEN_SET]])]),
])
def test_whether_a_module_argument_can_be_null(tmp_path: Path, argument: str, expected: list) -> None:
    files = {"main.tf": NULL_CALLER % argument, "trail/main.tf": NULL_CHILD}
    assert [(f["rule"], f["conditions"]) for f in findings(tmp_path, files)] == expected


def test_a_module_argument_tested_with_not_equal_null(tmp_path: Path) -> None:
    """`!=` gives the opposite of `==`: an argument that is never null selects the caller's value."""
    child = NULL_CHILD.replace(
        'var.group_arn == null ? "${aws_cloudwatch_log_group.this[0].arn}:*" : var.group_arn',
        'var.group_arn != null ? var.group_arn : "${aws_cloudwatch_log_group.this[0].arn}:*"')
    files = {"main.tf": NULL_CALLER % "data.aws_ssm_parameter.p.value", "trail/main.tf": child}
    assert [(f["rule"], f["message"]) for f in findings(tmp_path, files)] == [
        ("CTL010", "log group ARN cannot be resolved: the value comes from data.aws_ssm_parameter.p (read from AWS"
                   " at plan time)")]


LOGGING_MODULE = """
variable "create" {
  type    = bool
  default = true
}

resource "aws_cloudwatch_log_group" "this" {
  count             = var.create ? 1 : 0
  name              = "/aws/cloudtrail/shared"
  retention_in_days = 365
}

output "log_group_arn" {
  value = var.create ? aws_cloudwatch_log_group.this[0].arn : null
}
"""


def test_a_module_output_that_is_null_compared_with_null(tmp_path: Path) -> None:
    """The output's value is known (null): it is compared as it is, not guessed from its being an output."""
    group = ('module.logging.log_group_arn != null ? "${module.logging.log_group_arn}:*"'
             ' : "${aws_cloudwatch_log_group.trail.arn}:*"')
    files = {"main.tf": 'module "logging" {\n  source = "./logging"\n  create = false\n}\n'
                        + GROUP.replace("365", "30") + trail(group),
             "logging/main.tf": LOGGING_MODULE}
    assert kinds(tmp_path, files) == [("CTL003", "retention-too-short", "aws_cloudtrail.org")]


# --------------------------------------------------------------------------- for expressions


@pytest.mark.parametrize(("days", "expected"), [
    ("[for d in [30, 400] : d if d > 100][0]", []),
    ("[for d in [400, 30] : d if d < 100][0]", [("CTL003", "retention-too-short")]),
    ('{for k, v in {a = 400, b = 30} : k => v if k == "b"}["b"]', [("CTL003", "retention-too-short")]),
    ('{for k, v in {a = 30, b = 400} : upper(k) => v}["B"]', []),
    ("[for i, d in [400, 30] : d if i == 1][0]", [("CTL003", "retention-too-short")]),
    ("[for d in [30] : d if d > 100][0]", [("CTL010", "retention-unresolved")]),
])
def test_for_expressions(tmp_path: Path, days: str, expected: list) -> None:
    group = GROUP.replace("365", "local.days") + f"locals {{\n  days = {days}\n}}\n"
    found = findings(tmp_path, {"main.tf": group + trail()})
    assert [(f["rule"], f["kind"]) for f in found] == expected


# --------------------------------------------------------------------------- module calls

COUNTED_CHILD = """
variable "days" {
  default = [30, 400]
}

resource "aws_cloudwatch_log_group" "trail" {
  count             = 1
  name              = "/aws/cloudtrail/org-${count.index}"
  retention_in_days = var.days[count.index]
}
""" + trail("aws_cloudwatch_log_group.trail[0].arn")

PINNED_BELOW_3 = """
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 2.70"
    }
  }
}
"""


@pytest.mark.parametrize(("root", "expected"), [
    ("", [("CTL003", "retention-too-short"), ("CTL004", "group-arn-missing-wildcard")]),
    (PINNED_BELOW_3, [("CTL003", "retention-too-short")]),  # the root's pin holds in the modules it calls
])
def test_the_root_modules_provider_pin_holds_in_called_modules(tmp_path: Path, root: str, expected: list) -> None:
    files = {"main.tf": root + 'module "trail" {\n  source = "./trail"\n}\n', "trail/main.tf": COUNTED_CHILD}
    assert [(f["rule"], f["kind"]) for f in findings(tmp_path, files)] == expected


@pytest.mark.parametrize(("days", "expected"), [("[30, 400]", [("CTL003", [])]), ("[400, 30]", [])])
def test_a_module_with_an_unknown_count_is_its_first_instance(tmp_path: Path, days: str, expected: list) -> None:
    child = COUNTED_CHILD.replace("count             = 1\n", "").replace("[count.index]", "[var.index]") \
        .replace("-${count.index}", "").replace("trail[0].arn", "trail.arn") + 'variable "index" {}\n'
    files = {"main.tf": f'variable "n" {{}}\nmodule "trail" {{\n  source = "./trail"\n  count  = var.n\n'
                        f"  index  = count.index\n  days   = {days}\n}}\n",
             "trail/main.tf": child}
    found = [(f["rule"], f["conditions"]) for f in findings(tmp_path, files, "--select", "CTL003")]
    assert found == expected


@pytest.mark.parametrize(("call", "message"), [
    ('source = "cloudposse/cloudtrail/aws"',
     "module.cloudtrail (cloudposse/cloudtrail/aws) is not downloaded; run `terraform init` to check the trails"
     " inside it"),
    ('source = "cloudposse/cloudtrail/aws"\n  version = "0.24.0"\n  count = 2',
     "module.cloudtrail (cloudposse/cloudtrail/aws 0.24.0) is not downloaded; run `terraform init` to check the"
     " trails inside it"),
    ('source = "cloudposse/cloudtrail/aws"\n  count = 1',
     "module.cloudtrail (cloudposse/cloudtrail/aws) is not downloaded; run `terraform init` to check the trails"
     " inside it"),
    ('source = "cloudposse/cloudtrail/aws"\n  for_each = toset(["us-east-1", "eu-west-1"])\n  name = each.key',
     "module.cloudtrail (cloudposse/cloudtrail/aws) is not downloaded; run `terraform init` to check the trails"
     " inside it"),
], ids=["one", "version and count 2", "count 1", "for_each"])
def test_one_note_per_module_call_not_downloaded(tmp_path: Path, call: str, message: str) -> None:
    found = findings(tmp_path, {"main.tf": f'module "cloudtrail" {{\n  {call}\n}}\n'})
    assert [(f["rule"], f["kind"], f["message"]) for f in found] == [("CTL010", "module-not-followed", message)]


def test_one_error_for_a_missing_local_module_called_twice(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "cloudtrail" {\n  source = "./missing"\n  count  = 2\n}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    assert result.json["errors"] == [
        {"file": "main.tf", "line": 1, "message": "module source ./missing does not exist (missing)"}]


@pytest.mark.parametrize("instances", ["", "count = 1", "count = 2", 'for_each = toset(["us-east-1", "eu-west-1"])'],
                         ids=["one", "count 1", "count 2", "for_each"])
def test_one_error_for_a_missing_local_module_whatever_its_instances(tmp_path: Path, instances: str) -> None:
    (tmp_path / "main.tf").write_text(f'module "cloudtrail" {{\n  source = "./modules/cloudtrail"\n  {instances}\n}}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    message = "module source ./modules/cloudtrail does not exist (modules/cloudtrail)"
    assert result.json["errors"] == [{"file": "main.tf", "line": 1, "message": message}]


@pytest.mark.parametrize("instances", ["count = 1", "for_each = toset(var.replica_regions)"],
                         ids=["count 1", "for_each"])
def test_one_error_for_a_module_cycle_whatever_its_instances(tmp_path: Path, instances: str) -> None:
    child = ('variable "replica_regions" {\n  type    = list(string)\n  default = ["eu-west-1"]\n}\n\n'
             f'module "replica" {{\n  source = "../trail"\n  {instances}\n}}\n' + GROUP + trail())
    (tmp_path / "modules" / "trail").mkdir(parents=True)
    (tmp_path / "modules" / "trail" / "main.tf").write_text(child)
    (tmp_path / "main.tf").write_text('module "trail" {\n  source = "./modules/trail"\n}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    assert result.json["errors"] == [{"file": "modules/trail/main.tf", "line": 6, "message":
                                      "module.replica calls ../trail, which is already in its module chain (module"
                                      " cycle)"}]


@pytest.mark.parametrize("call", ['source = "./modules/${var.environment}/delivery-role"', 'role_name = "trail"'],
                         ids=["template", "none"])
def test_a_module_call_without_a_literal_source(tmp_path: Path, call: str) -> None:
    """Terraform rejects it; its outputs cannot be read, and the linter says so."""
    text = (f'variable "environment" {{}}\n\nmodule "delivery_role" {{\n  {call}\n}}\n' + GROUP
            + trail().replace('"arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch"', "module.delivery_role.arn"))
    assert [(f["rule"], f["message"]) for f in findings(tmp_path, {"main.tf": text})] == [
        ("CTL010", "role ARN cannot be resolved: module.delivery_role has no literal source")]


def test_a_module_output_that_is_not_there(tmp_path: Path) -> None:
    role = ('resource "aws_iam_role" "this" {\n  name               = "cloudtrail-to-cloudwatch"\n'
            '  assume_role_policy = "{}"\n}\n\noutput "name" {\n  value = aws_iam_role.this.name\n}\n')
    text = ('module "delivery_role" {\n  source = "./delivery-role"\n}\n' + GROUP
            + trail().replace('"arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch"', "module.delivery_role.arn"))
    found = findings(tmp_path, {"main.tf": text, "delivery-role/main.tf": role})
    assert [(f["rule"], f["message"]) for f in found] == [
        ("CTL005", "role value refers to module.delivery_role.arn, which is not defined")]


def test_a_registry_module_called_by_a_downloaded_one(tmp_path: Path) -> None:
    """Nested downloaded modules are found under their key in modules.json ("audit.trail")."""
    files = {
        "main.tf": 'module "audit" {\n  source  = "acme/audit/aws"\n  version = "2.1.0"\n}\n',
        ".terraform/modules/audit/main.tf": 'module "trail" {\n  source  = "acme/cloudtrail/aws"\n'
                                            '  version = "1.4.0"\n}\n',
        ".terraform/modules/audit.trail/main.tf": GROUP.replace("365", "30") + trail(),
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "audit", "Source": "registry.terraform.io/acme/audit/aws", "Dir": ".terraform/modules/audit"},
            {"Key": "audit.trail", "Source": "registry.terraform.io/acme/cloudtrail/aws",
             "Dir": ".terraform/modules/audit.trail"},
        ]}),
    }
    assert kinds(tmp_path, files) == [("CTL003", "retention-too-short", "module.audit.module.trail.aws_cloudtrail.org")]


TRAIL_UNIT = """
include "root" {
  path = find_in_parent_folders()
}

terraform {
  source = "../../modules//trail"
}

inputs = {
  name = "dev"
}
"""


def test_a_variable_the_inputs_of_an_including_terragrunt_unit_leave_unset(tmp_path: Path) -> None:
    """The included configuration may set it (it is not read): its default is not taken as the value."""
    module = GROUP.replace("365", "var.retention_in_days").replace("/org", "/${var.name}") + trail() \
        + 'variable "name" {}\n\nvariable "retention_in_days" {\n  default = 30\n}\n'
    files = {"terragrunt.hcl": 'remote_state {\n  backend = "s3"\n}\n', "live/dev/terragrunt.hcl": TRAIL_UNIT,
             "modules/trail/main.tf": module}
    assert [(f["rule"], f["message"]) for f in findings(tmp_path, files)] == [
        ("CTL010", "retention of aws_cloudwatch_log_group.trail cannot be resolved: var.retention_in_days is not set by"
                   " the inputs of terragrunt.hcl; it may be set by the terragrunt configuration terragrunt.hcl"
                   " includes, which is not read")]


@pytest.mark.parametrize(("flag", "expected"), [
    ('"false"', []), ('"true"', [("CTL003", "retention-too-short", "module.trail.aws_cloudtrail.org[0]")]),
], ids=["false", "true"])
def test_a_flag_given_as_text(tmp_path: Path, flag: str, expected: list) -> None:
    """Terraform 0.11 modules pass flags as "true" and "false"; a condition converts them to bools."""
    child = 'variable "create_trail" {\n  default = true\n}\n' + GROUP.replace("365", "30") \
        + trail(meta="count = var.create_trail ? 1 : 0")
    files = {"main.tf": f'module "trail" {{\n  source       = "./trail"\n  create_trail = {flag}\n}}\n',
             "trail/main.tf": child}
    assert kinds(tmp_path, files) == expected


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize(("reference", "expected"), [
    ("local.missing", ("CTL005", "role value refers to local.missing, which is not defined")),
    ("module.missing.role_arn", ("CTL005", "role value refers to module.missing, which is not defined")),
    ("data.aws_iam_role.missing.arn",
     ("CTL005", "role value refers to data.aws_iam_role.missing, which is not defined")),
    ("data.aws_iam_role", ("CTL005", "role value refers to data.aws_iam_role, which is not defined")),
    ("aws_iam_role.missing.arn", ("CTL005", "role value refers to aws_iam_role.missing, which is not defined")),
    ("google_service_account.sa.email",
     ("CTL005", "role value refers to google_service_account.sa, which is not defined")),
    ("self.arn", ("CTL010", "role ARN cannot be resolved: self is not available here")),
    ("each.value", ("CTL010", "role ARN cannot be resolved: each is not available here")),
    ("count.index", ("CTL010", "role ARN cannot be resolved: count is not available here")),
])
def test_references_to_what_is_not_there(tmp_path: Path, reference: str, expected: tuple[str, str]) -> None:
    text = GROUP + trail().replace('"arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch"', reference)
    found = findings(tmp_path, {"main.tf": text})
    assert [(f["rule"], f["message"]) for f in found] == [expected]


@pytest.mark.parametrize(("expression", "value"), [
    # try and can skip what Terraform would reject, not what is merely unknown before deployment
    ('try(max("a", 1), 5)', 5), ('try(max("a", 1), max("b", 2), "c")', "c"), ("try([for x in 5 : x], 3)", 3),
    ('try(max("a", 1))', 'unknown: no argument of `try(max("a", 1))` succeeds'),
    ('try(max("a", 1), timestamp(), 5)', NOT_EVALUATED),
    ('can(max("a", 1))', False), ("can(max(2, 1))", True), ("can(timestamp())", NOT_EVALUATED),
    ('max("a", 1)', 'unknown: error: `max("a", 1)` cannot be computed'),
    # arguments expanded from a list
    ("max([1, 5, 3]...)", 5), ("max(7, [5, 3]...)", 7), ("min([4, 2]...)", 2),
    ('format("%s-%s", ["a", "b"]...)', "a-b"),
    # a function that is not evaluated, or given an unknown
    ("nosuch(1)", "unknown: function nosuch() is not evaluated"), ("nosuch(timestamp())", NOT_EVALUATED),
    ("upper(timestamp())", NOT_EVALUATED), ('coalesce(null, "x")', "x"),
])
def test_function_calls(expression: str, value: object) -> None:
    assert evaluate(expression) == value


@pytest.mark.parametrize(("group", "message"), [
    ("aws_cloudwatch_log_group.trail",
     "log group ARN cannot be resolved: aws_cloudwatch_log_group.trail is a whole resource, not an attribute"),
    ("var.log_group_arns.org",
     "log group ARN cannot be resolved: error: `var.log_group_arns.org` reads `org` of a list"),
    ("var.existing_log_group.arn",
     "log group ARN cannot be resolved: error: `var.existing_log_group.arn` reads `arn` of null"),
], ids=["whole resource", "list", "null"])
def test_log_group_values_that_are_not_an_arn(tmp_path: Path, group: str, message: str) -> None:
    variables = ('variable "log_group_arns" {\n  type    = list(string)\n'
                 '  default = ["arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/org:*"]\n}\n\n'
                 'variable "existing_log_group" {\n  type    = object({ arn = string })\n  default = null\n}\n')
    found = findings(tmp_path, {"main.tf": variables + GROUP + trail(group)})
    assert [(f["rule"], f["message"]) for f in found] == [("CTL010", message)]


LOG_GROUPS = """
variable "log_groups" {
  type    = map(string)
  default = {
    audit = "/aws/cloudtrail/audit"
  }
}

variable "environment" {
  type = string
}

variable "settings" {
  type    = map(string)
  default = {}
}
"""


@pytest.mark.parametrize(("group", "reason"), [
    # a function's unknown result: its reason, not "part of the value is not known"
    ('"arn:aws:logs:us-east-1:111122223333:log-group:${lookup(var.log_groups, "org")}:*"',
     "lookup of missing key org"),
    # try() drops the reasons of the arguments it skips, not those of the rest of the value
    ('"arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/${var.environment}-${try(var.settings.suffix,'
     ' "org")}:*"', "var.environment has no default and no tfvars value"),
], ids=["lookup", "try"])
def test_why_part_of_a_value_is_not_known(tmp_path: Path, group: str, reason: str) -> None:
    found = findings(tmp_path, {"main.tf": LOG_GROUPS + trail(group)})
    assert [(f["rule"], f["message"]) for f in found] == [("CTL010", f"log group ARN cannot be resolved: {reason}")]


# --------------------------------------------------------------------------- conditions made of several parts

A_TRUE, A_FALSE, B_TRUE, B_FALSE, C_TRUE = ("`var.a` is true", "`var.a` is false", "`var.b` is true",
                                             "`var.b` is false", "`var.c` is true")


@pytest.mark.parametrize(("count", "conditions"), [
    ("var.a && var.b ? 1 : 0", [[[A_TRUE, B_TRUE]]]),
    ("var.a || var.b ? 1 : 0", [[[A_FALSE, B_TRUE], [A_TRUE]]]),
    ("var.a && false ? 1 : 0", []),  # never created
    ("var.a || true ? 1 : 0", [[]]),  # always created
    ("true && var.a ? 1 : 0", [[[A_TRUE]]]),
    ("false || var.a ? 1 : 0", [[[A_TRUE]]]),
    ('var.a && "true" ? 1 : 0', [[[A_TRUE]]]),
    ("!(var.a && var.b) ? 1 : 0", [[[A_FALSE], [A_TRUE, B_FALSE]]]),
    ('var.a != "x" ? 1 : 0', [[['`var.a == "x"` is false']]]),
    ("(var.a && var.b) || var.c ? 1 : 0", [[[A_FALSE, C_TRUE], [A_TRUE, B_FALSE, C_TRUE], [A_TRUE, B_TRUE]]]),
    ('"${var.a && var.b}" ? 1 : 0', [[[A_TRUE, B_TRUE]]]),  # Terraform 0.11's interpolation-only condition
])
def test_a_trail_counted_on_a_combination_of_flags(tmp_path: Path, count: str, conditions: list) -> None:
    """Root variables without defaults: the trail is checked under each combination that creates it."""
    files = {"main.tf": 'variable "a" {}\nvariable "b" {}\nvariable "c" {}\n' + GROUP.replace("365", "30")
                        + trail(meta=f"count = {count}")}
    found = findings(tmp_path, files, "--select", "CTL003")
    assert [f["conditions"] for f in found] == conditions


def test_a_variable_and_a_local_of_the_same_name(tmp_path: Path) -> None:
    """`var.enabled` is the variable even where `local.enabled` exists: the trail exists when the variable is
    true, its log group only when the local is."""
    text = ('variable "enabled" {\n  type = bool\n}\n\nvariable "cloudwatch" {\n  type = bool\n}\n\n'
            'locals {\n  enabled = var.enabled && var.cloudwatch\n}\n'
            + GROUP.replace("365", "30").replace("{", "{\n  count = local.enabled ? 1 : 0", 1)
            + trail('local.enabled ? "${aws_cloudwatch_log_group.trail[0].arn}:*" : null',
                    "count = var.enabled ? 1 : 0"))
    found = findings(tmp_path, {"main.tf": text}, "--select", "CTL001,CTL003")
    assert [(f["rule"], f["conditions"]) for f in found] == [
        ("CTL001", [["`var.enabled` is true", "`var.cloudwatch` is false"]]),
        ("CTL003", [["`var.enabled` is true", "`var.cloudwatch` is true"]])]


@pytest.mark.parametrize(("chain", "rules"), [(19, ["CTL010"]), (20, ["CTL003", "CTL010"])])
def test_nullness_is_followed_through_19_locals_at_most(tmp_path: Path, chain: int, rules: list[str]) -> None:
    """A guard against deep chains: past it, an argument may be null (both branches are checked)."""
    locals_ = "".join(f"  l{i} = local.l{i + 1}\n" for i in range(1, chain)) + \
        f"  l{chain} = data.aws_ssm_parameter.p.value\n"
    caller = NULL_CALLER.replace("locals {\n  arn = data.aws_ssm_parameter.p.value\n}",
                                 "locals {\n" + locals_ + "}") % "local.l1"
    found = findings(tmp_path, {"main.tf": caller, "trail/main.tf": NULL_CHILD})
    assert [f["rule"] for f in found] == rules


# --------------------------------------------------------------------------- resource instances


def counted_group(retention: str) -> str:
    """Two log groups (count = 2) keeping events ``retention`` days."""
    header = 'resource "aws_cloudwatch_log_group" "trail" {'
    return GROUP.replace(header, header + "\n  count = 2").replace("365", retention)


@pytest.mark.parametrize(("count", "expected"), [
    ('"2"', [("CTL003", "aws_cloudtrail.org[0]", []), ("CTL003", "aws_cloudtrail.org[1]", [])]),
    ("var.n", [("CTL003", "aws_cloudtrail.org[0]", [])]),  # unknown: checked as its first instance
])
def test_resource_count(tmp_path: Path, count: str, expected: list) -> None:
    group = counted_group("[30, 30][count.index]")
    text = 'variable "n" {}\n' + group + trail("aws_cloudwatch_log_group.trail[count.index].arn", f"count = {count}")
    found = findings(tmp_path, {"main.tf": text}, "--select", "CTL003")
    assert [(f["rule"], f["resource"], f["conditions"]) for f in found] == expected


def test_an_unknown_count_is_index_zero(tmp_path: Path) -> None:
    group = counted_group("[30, 400][count.index]")
    arn = '"${aws_cloudwatch_log_group.trail[count.index].arn}:*"'
    text = 'variable "n" {}\n' + group + trail(arn, "count = var.n")
    found = findings(tmp_path, {"main.tf": text}, "--select", "CTL003")
    assert [f["message"].split(";")[0] for f in found] == \
        ["log group aws_cloudwatch_log_group.trail[0] (main.tf:3) keeps events 30 days"]


def test_a_count_past_the_budget_ends_at_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GROUP + trail(meta="count = 100000000000000000000"))
    found = lint(tmp_path, "--format", "json", ".").json["findings"]
    limit = "evaluation limit reached: aws_cloudtrail.org has 1,000,000,000,000,000,000 instances, more than 1,000"
    assert [(f["rule"], f["message"]) for f in found] == [
        ("CTL010", f"log group ARN cannot be resolved: {limit}"), ("CTL010", f"role ARN cannot be resolved: {limit}")]


def test_resource_for_each_over_a_set(tmp_path: Path) -> None:
    text = GROUP.replace("365", "30") + trail(meta='for_each = toset(["eu", "us"])')
    found = findings(tmp_path, {"main.tf": text}, "--select", "CTL003")
    assert [f["resource"] for f in found] == ['aws_cloudtrail.org["eu"]', 'aws_cloudtrail.org["us"]']


def test_a_count_that_is_not_a_number(tmp_path: Path) -> None:
    """`count = var.create_trail` with a bool (Terraform rejects it): the trail is checked as one resource."""
    text = 'variable "create_trail" {\n  type    = bool\n  default = true\n}\n' + GROUP.replace("365", "30") \
        + trail(meta="count = var.create_trail")
    assert kinds(tmp_path, {"main.tf": text}) == [("CTL003", "retention-too-short", "aws_cloudtrail.org")]


def test_instances_of_a_resource_whose_body_is_skipped(tmp_path: Path) -> None:
    """The default run skips the bodies of SSM parameters, for_each included: it is read back from the file."""
    parameter = ('resource "aws_ssm_parameter" "log_group_arn" {\n  for_each = toset(["org", "audit"])\n'
                 '  name     = "/cloudtrail/${each.key}/log-group-arn"\n  type     = "String"\n'
                 '  value    = "${aws_cloudwatch_log_group.trail.arn}:*"\n}\n')
    text = GROUP.replace("365", "30") + parameter + trail('aws_ssm_parameter.log_group_arn["org"].value')
    assert kinds(tmp_path, {"main.tf": text}) == [("CTL003", "retention-too-short", "aws_cloudtrail.org")]


@pytest.mark.parametrize(("depth", "resource"), [
    (50, "module.m1." + "".join(f"module.m{i}." for i in range(2, 51)) + "aws_cloudtrail.org"),
    (51, "aws_cloudtrail.org"),  # past 50 levels the chain is not followed; the folder is linted as a root
])
def test_module_chains_are_followed_50_levels_deep(tmp_path: Path, depth: int, resource: str) -> None:
    for level in range(depth):
        folder = tmp_path.joinpath(*[f"m{j}" for j in range(1, level + 1)])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "main.tf").write_text(f'module "m{level + 1}" {{\n  source = "./m{level + 1}"\n}}\n')
    deepest = tmp_path.joinpath(*[f"m{j}" for j in range(1, depth + 1)])
    deepest.mkdir(parents=True, exist_ok=True)
    (deepest / "main.tf").write_text(GROUP.replace("365", "30") + trail())
    found = findings(tmp_path, {}, "--select", "CTL003")
    assert [f["resource"] for f in found] == [resource]


# --------------------------------------------------------------------------- blocks with no instance by default


@pytest.mark.parametrize(("variables", "count", "conditions"), [
    # the common module pattern: enabled by default, the CloudWatch part off by default
    ({"enabled": "true", "cloudwatch": "false"}, "var.enabled && var.cloudwatch ? 1 : 0",
     [["`var.cloudwatch` is true; false by default"]]),
    ({"enabled": "false", "cloudwatch": "false"}, "var.enabled && var.cloudwatch ? 1 : 0",
     [["`var.enabled` is true; false by default", "`var.cloudwatch` is true; false by default"]]),
    ({"enabled": "true", "disabled": "true"}, "var.enabled && !var.disabled ? 1 : 0",
     [["`var.disabled` is false; true by default"]]),
    ({"enabled": "false", "cloudwatch": "true"}, "var.enabled || var.cloudwatch ? 1 : 0", []),  # on by default
    # a variable without a default still decides, once the defaults are changed
    ({"enabled": "false", "cloudwatch": None}, "var.enabled && var.cloudwatch ? 1 : 0",
     [["`var.enabled` is true; false by default", "`var.cloudwatch` is true"]]),
])
def test_a_trail_that_only_defaults_switch_off_is_checked(tmp_path: Path, variables: dict[str, str | None], count: str,
                                                         conditions: list) -> None:
    """Whoever deploys may set the variables: the fewest defaults changed that create the trail are named."""
    declared = "".join(f'variable "{name}" {{\n  default = {value}\n}}\n' if value else f'variable "{name}" {{}}\n'
                       for name, value in variables.items())
    files = {"main.tf": declared + GROUP.replace("365", "30") + trail(meta=f"count = {count}")}
    found = findings(tmp_path, files, "--select", "CTL003")
    assert [f["conditions"] for f in found] == [conditions]


def test_instances_a_changed_default_adds_are_checked_under_that_condition(tmp_path: Path) -> None:
    """The default gives instances: they are checked as they are, not as another default would give them."""
    text = 'variable "all_regions" {\n  type    = bool\n  default = false\n}\n' + GROUP.replace("365", "30") \
        + trail(meta='for_each = var.all_regions ? toset(["us-east-1", "eu-west-1"]) : toset(["us-east-1"])')
    found = findings(tmp_path, {"main.tf": text})
    assert [(f["rule"], f["resource"], f["conditions"]) for f in found] == [
        ("CTL003", 'aws_cloudtrail.org["us-east-1"]', [])]


def test_a_log_group_that_only_a_changed_default_creates(tmp_path: Path) -> None:
    """Reading the log group's count with its default changed leaves the other defaults as they are: its
    retention is the variable's default."""
    variables = ('variable "create_log_group" {\n  type    = bool\n  default = false\n}\n\n'
                 'variable "retention_days" {\n  type    = number\n  default = 30\n}\n')
    group = GROUP.replace("{", "{\n  count = var.create_log_group ? 1 : 0", 1).replace("365", "var.retention_days")
    found = findings(tmp_path, {"main.tf": variables + group + trail('"${aws_cloudwatch_log_group.trail[0].arn}:*"')})
    assert [(f["rule"], f["message"]) for f in found] == [
        ("CTL003", "log group aws_cloudwatch_log_group.trail[0] (main.tf:11) keeps events 30 days; at least 365 are"
                   " required")]


# --------------------------------------------------------------------------- attributes AWS computes

DELIVERY_ROLE = """
resource "aws_iam_role" "delivery" {
  name = "cloudtrail-delivery"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "delivery" {
  %s
  name = "cloudwatch-logs"
  role = aws_iam_role.delivery.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "%s"
    }]
  })
}
"""

ROLE_ARN = '"arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch"'
IDENTITY = 'data "aws_region" "current" {}\n\ndata "aws_caller_identity" "current" {}\n'


@pytest.mark.parametrize("resource", ["${aws_cloudwatch_log_group.trail.arn}:*",
                                      "arn:aws:logs:*:*:log-group:/aws/cloudtrail/*"], ids=["its arn", "a pattern"])
def test_a_log_group_named_by_a_prefix(tmp_path: Path, resource: str) -> None:
    """AWS adds a suffix to `name_prefix`: the name (and the ARN) keep the prefix, and `name` is it."""
    group = GROUP.replace('name              = "/aws/cloudtrail/org"', 'name_prefix       = "/aws/cloudtrail/org-"')
    arn = ('"arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:'
           '${aws_cloudwatch_log_group.trail.name}:*"')
    text = IDENTITY + group + DELIVERY_ROLE % ("", resource) + trail(arn).replace(ROLE_ARN, "aws_iam_role.delivery.arn")
    (tmp_path / "main.tf").write_text(text)
    result = lint(tmp_path, "--format", "json", ".")
    assert (result.exit_code, result.json["findings"]) == (0, [])  # the role's policy is checked, and allows it


def test_a_role_policy_that_exists_under_a_condition(tmp_path: Path) -> None:
    """A condition only the role's policies meet gives variants of its own."""
    text = ('variable "grant_logs" {\n  type = bool\n}\n' + GROUP
            + DELIVERY_ROLE % ("count = var.grant_logs ? 1 : 0", "${aws_cloudwatch_log_group.trail.arn}:*")
            + trail().replace(ROLE_ARN, "aws_iam_role.delivery.arn"))
    found = findings(tmp_path, {"main.tf": text})
    assert [(f["rule"], f["kind"], f["conditions"]) for f in found] == [
        ("CTL007", "no-permissions-policy", [["`var.grant_logs` is false"]])]


def test_an_id_known_only_after_apply(tmp_path: Path) -> None:
    organization = ('resource "aws_organizations_organization" "org" {\n'
                    '  aws_service_access_principals = ["cloudtrail.amazonaws.com"]\n  feature_set = "ALL"\n}\n')
    role = '"arn:aws:iam::${aws_organizations_organization.org.master_account_id}:role/cloudtrail-to-cloudwatch"'
    found = findings(tmp_path, {"main.tf": organization + GROUP + trail().replace(ROLE_ARN, role)})
    assert [(f["rule"], f["message"]) for f in found] == [
        ("CTL010", "role ARN cannot be resolved: aws_organizations_organization.org.master_account_id is known only"
                   " after apply")]


def test_the_arn_of_another_trail_is_not_a_log_group_arn(tmp_path: Path) -> None:
    """A second trail copied from the first, given the first trail's ARN: the service is CloudTrail's."""
    second = trail("aws_cloudtrail.org.arn").replace('"org"', '"data_events"').replace('"org"', '"data-events"', 1)
    found = findings(tmp_path, {"main.tf": GROUP + trail() + second})
    assert [(f["rule"], f["resource"], f["message"]) for f in found] == [
        ("CTL004", "aws_cloudtrail.data_events",
         "log group value aws_cloudtrail.org.arn (= arn:<?>:cloudtrail:<?>:<?>:<?>) is not a CloudWatch Logs log-group"
         " ARN: it is an ARN of the cloudtrail service, not of a CloudWatch Logs log group")]


def test_a_literal_arn_names_a_log_group_declared_after_the_trail(tmp_path: Path) -> None:
    """The log group is looked up by name among log groups only (the trail has the same name here)."""
    group = GROUP.replace("/aws/cloudtrail/org", "org-trail").replace("365", "30")
    arn = '"arn:aws:logs:us-east-1:111122223333:log-group:org-trail:*"'
    found = findings(tmp_path, {"main.tf": trail(arn).replace('= "org"', '= "org-trail"') + group})
    assert [(f["rule"], f["message"]) for f in found] == [
        ("CTL003", "log group aws_cloudwatch_log_group.trail (main.tf:10) keeps events 30 days; at least 365 are"
                   " required")]


# --------------------------------------------------------------------------- blocks whose bodies are skipped

TRIMMED_ROLE = """
resource "aws_iam_role" "delivery" {
  name               = "cloudtrail-delivery"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
}
"""


def test_an_attribute_a_skipped_body_does_not_set(tmp_path: Path) -> None:
    """The default run skips the role's description; it reads the file again for it, finds none, and the value
    is null, as with --parse-all."""
    text = TRIMMED_ROLE + GROUP + trail().replace(ROLE_ARN, "aws_iam_role.delivery.description")
    found = findings(tmp_path, {"main.tf": text})
    assert [(f["rule"], f["message"]) for f in found] == [
        ("CTL002", "trail sets a CloudWatch Logs log group but no delivery role: aws_iam_role.delivery.description is"
                   " null")]
    assert findings(tmp_path, {}, "--parse-all") == found


UNFINISHED_BUCKET = 'resource "aws_s3_bucket" "trail" {\n  bucket = \n}\n'


@pytest.mark.parametrize(("role", "expected"), [
    # what the trimmed parse kept, or AWS computes, is read as usual
    ("aws_iam_role.delivery.arn",
     ("CTL007", "the delivery role aws_iam_role.delivery cannot deliver: the role has no permissions policy, so"
                " CloudTrail may neither logs:CreateLogStream nor logs:PutLogEvents")),
    # what it skipped cannot be read
    ("aws_iam_role.delivery.description",
     ("CTL010", "role ARN cannot be resolved: aws_iam_role.delivery.description could not be read (its file could"
                " not be parsed whole)")),
], ids=["kept", "skipped"])
def test_a_file_whose_skipped_body_does_not_parse(tmp_path: Path, role: str, expected: tuple) -> None:
    """A bucket written halfway: the default run parses the file without its body, and not whole."""
    text = TRIMMED_ROLE + UNFINISHED_BUCKET + GROUP + trail().replace(ROLE_ARN, role)
    assert [(f["rule"], f["message"]) for f in findings(tmp_path, {"main.tf": text})] == [expected]


def test_comparing_values_that_share_parts_counts_every_part(tmp_path: Path) -> None:
    """Two lists of 2 ** 18 strings each, built by doubling: the comparison goes past the evaluation budget
    and the retention is unknown, naming the limit (without the count, 40 levels would never end)."""
    doubled = "".join(f"  {x}{i} = [local.{x}{i - 1}, local.{x}{i - 1}]\n" for i in range(1, 19) for x in "ab")
    text = ('locals {\n  a0 = ["/aws/cloudtrail/org"]\n  b0 = ["/aws/cloudtrail/org"]\n' + doubled + "}\n"
            + GROUP.replace("365", "local.a18 == local.b18 ? 30 : 365") + trail())
    assert [(f["rule"], f["message"]) for f in findings(tmp_path, {"main.tf": text})] == [
        ("CTL010", "retention of aws_cloudwatch_log_group.trail cannot be resolved: evaluation limit reached: more"
                   " than 200,000 steps of evaluation")]
