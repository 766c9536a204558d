"""The evaluation both resolvers share (linter/resolver/common.py) and the engine's merging of variants
(linter/checks.py), tested on their own: the exact limits of the budget, how variants are explored, and
how results become model values. Written for the mutants that scenario tests could not tell apart
(docs/testing.md)."""

from __future__ import annotations

import itertools
import json

import pytest
from cloudtrail_lint.checks import _cubes, check_trail, unfollowed_findings
from cloudtrail_lint.model import UNKNOWN_ANY, Assumption, Location, State, Trail, Unfollowed, Value
from cloudtrail_lint.resolver.common import (
    MAX_INT_BITS,
    Budget,
    Defaulted,
    LimitReached,
    Trace,
    Undecided,
    Unknown,
    as_days,
    explore,
    to_value,
)
from cloudtrail_lint.rules import RULES_BY_ID, Options

# --------------------------------------------------------------------------- the budget


def test_steps_run_out_after_exactly_the_allowance() -> None:
    budget = Budget()
    for _ in range(Budget.STEPS):
        budget.step()
    with pytest.raises(LimitReached, match=r"^more than 200,000 expressions evaluated$"):
        budget.step()


def test_renew_gives_a_full_allowance_again() -> None:
    budget = Budget()
    for _ in range(Budget.STEPS):
        budget.step()
    budget.renew()
    assert budget.steps == 0
    budget.step()


def test_a_string_of_exactly_the_limit_is_allowed() -> None:
    budget = Budget()
    text = "x" * Budget.STRING
    assert budget.text(text) is text
    with pytest.raises(LimitReached, match=r"^a string longer than 1,000,000 characters$"):
        budget.text(text + "x")


def test_charge_counts_one_step_per_value_and_per_256_characters() -> None:
    budget = Budget()
    budget.charge("x" * 1024)
    assert budget.steps == 1 + 4
    budget.charge(["a", "b"], {"k": "v"})
    assert budget.steps == 5 + 3 + 2  # the list and its two items, the map and its one value


def test_charge_stops_at_the_allowance() -> None:
    budget = Budget()
    budget.steps = Budget.STEPS - 1
    budget.charge("short")
    with pytest.raises(LimitReached, match=r"^more than 200,000 steps of evaluation$"):
        budget.charge("short")


def test_lists_and_instances_up_to_their_limits() -> None:
    budget = Budget()
    budget.items(Budget.ITEMS)
    with pytest.raises(LimitReached, match=r"^a list or map of more than 100,000 items$"):
        budget.items(Budget.ITEMS + 1)
    budget.instances(Budget.INSTANCES, "aws_cloudtrail.main")
    with pytest.raises(LimitReached, match=r"^aws_cloudtrail\.main has 1,001 instances, more than 1,000$"):
        budget.instances(Budget.INSTANCES + 1, "aws_cloudtrail.main")


# --------------------------------------------------------------------------- variants


def _conditions(*keys: str):
    """An evaluation that meets the conditions ``keys`` (false by default) and returns what it assumed."""

    def evaluate(assumed: dict[str, bool]):
        return dict(assumed), [Undecided(k, f"var.{k}", False) for k in keys]

    return evaluate


def _holds(leaves) -> list[tuple[tuple[str, bool], ...]]:
    return [tuple((a.key, a.holds) for a in leaf.assumptions) for leaf in leaves]


def test_no_condition_is_one_evaluation() -> None:
    leaves = explore(lambda assumed: ("value", []))
    assert [(leaf.assumptions, leaf.result) for leaf in leaves] == [((), "value")]


def test_two_conditions_give_four_variants_true_first() -> None:
    leaves = explore(_conditions("a", "b"))
    assert _holds(leaves) == [(("a", True), ("b", True)), (("a", True), ("b", False)),
                              (("a", False), ("b", True)), (("a", False), ("b", False))]
    assert [leaf.result for leaf in leaves] == [{"a": True, "b": True}, {"a": True, "b": False},
                                                 {"a": False, "b": True}, {"a": False, "b": False}]


def test_three_conditions_are_all_explored_and_a_fourth_is_not() -> None:
    assert len(explore(_conditions("a", "b", "c"))) == 8
    leaves = explore(_conditions("a", "b", "c", "d"))
    assert len(leaves) == 8
    assert all("d" not in leaf.result for leaf in leaves)  # left undecided: an unknown in each variant


def test_assumptions_carry_the_condition_text_and_default() -> None:
    leaves = explore(_conditions("enabled"))
    assert leaves[0].assumptions == (Assumption("enabled", "var.enabled", True, False),)
    assert leaves[0].assumptions[0].describe() == "var.enabled is true; false by default"


def test_a_start_assignment_is_kept_and_fixed_assumptions_are_not_repeated() -> None:
    fixed = (Assumption("IsProd", "condition IsProd", True),)
    leaves = explore(_conditions("IsProd", "b"), start={"IsProd": True}, fixed=fixed)
    assert _holds(leaves) == [(("b", True),), (("b", False),)]
    assert all(leaf.result["IsProd"] is True for leaf in leaves)


def test_a_condition_without_a_name_is_described_by_its_key() -> None:
    def evaluate(assumed: dict[str, bool]):
        return None, [] if "k" in assumed else [Undecided("k", "text")]

    leaves = explore(evaluate, start={"other": True})
    assert leaves[0].assumptions == (Assumption("other", "other", True, None), Assumption("k", "text", True, None))


# --------------------------------------------------------------------------- traces and values


def test_a_missing_reference_is_recorded_once() -> None:
    trace = Trace()
    first = trace.missing("aws_iam_role.gone")
    trace.missing("aws_iam_role.gone")
    assert isinstance(first, Unknown) and first.reason == "aws_iam_role.gone is not defined"
    assert trace.dangling == ["aws_iam_role.gone"]


def test_a_defaulted_value_keeps_its_default() -> None:
    value = Defaulted("var.enabled is set by whoever deploys", False)
    assert (value.reason, value.default) == ("var.enabled is set by whoever deploys", False)


def test_to_value_outcomes() -> None:
    trace = Trace()
    trace.unknown("var.env has no default")
    assert to_value(None, trace, "var.arn", "unset").reason == "var.arn is null"
    assert to_value(None, trace, "", "no log group ARN is set").reason == "no log group ARN is set"
    assert to_value("  ", trace, "var.arn", "unset").reason == "var.arn is an empty string"
    assert to_value("", trace, "", "not set").state is State.MISSING
    partial = to_value(f"arn:aws:logs:x:1:log-group:{UNKNOWN_ANY}", trace, "local.arn", "unset")
    assert (partial.state, partial.reason) == (State.UNKNOWN, "var.env has no default")
    assert to_value(f"a{UNKNOWN_ANY}", Trace(), "x", "unset").reason == \
        "part of the value is not known before deployment"
    assert to_value(Unknown("imported"), trace, "x", "unset").reason == "imported"
    assert to_value(365, trace, "x", "unset").data == 365


@pytest.mark.parametrize(("given", "days"), [
    (365, 365), (365.0, 365), ("365", 365), (" 30 ", 30), ("-1", -1), (True, True), ("abc", "abc"),
    (2 ** MAX_INT_BITS - 1, 2 ** MAX_INT_BITS - 1),
])
def test_retention_values_become_days(given: object, days: object) -> None:
    value = as_days(Value(State.KNOWN, given, source="x"))
    assert value.known and value.data == days and type(value.data) is type(days)


@pytest.mark.parametrize("given", [2 ** MAX_INT_BITS, "²", "9" * 5000])
def test_retention_numbers_too_long_to_read_are_unknown(given: object) -> None:
    value = as_days(Value(State.KNOWN, given, source="x"))
    assert (value.state, value.reason) == (State.UNKNOWN,
                                           "the value is a number too long to read (more than 4300 digits)")


# --------------------------------------------------------------------------- the engine's merging


class _Broken:
    id, name, severity = "CTL001", "broken", "warning"

    def check(self, trail: Trail, options: Options):
        raise ZeroDivisionError("division by zero")


def test_a_rule_that_raises_is_an_error_and_the_other_rules_still_run() -> None:
    trail = Trail("aws_cloudtrail.t", "aws_cloudtrail", Location("main.tf", 1, 1, 3),
                  Value(State.KNOWN, "arn:aws:logs:us-east-1:123456789012:log-group:trail:*"),
                  Value(State.MISSING, reason="no role ARN is set"))
    findings = check_trail([trail], [_Broken(), RULES_BY_ID["CTL002"]], Options(), "warn")
    assert [(f.rule, f.kind, f.severity, f.line, f.end_line) for f in findings] == [
        ("CTL999", "internal-error", "error", 1, 3),
        ("CTL002", "role-not-set", "error", 1, 3),
    ]
    assert findings[0].message == "internal error in CTL001: ZeroDivisionError: division by zero"


def test_the_arn_of_another_service_is_named_by_both_resolvers() -> None:
    """``aws_kms_key.x.arn`` and ``!GetAtt Topic.Arn`` are ARNs of their own service, not unknowns."""
    from .conftest import FIXTURES, lint

    result = lint(FIXTURES / "group_arn_of_another_resource", "--format", "json")
    found = [(f["rule"], f["kind"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("CTL004", "group-arn-wrong-service", 14), ("CTL004", "group-arn-wrong-service", 6)]
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert "(= arn:<?>:kms:<?>:<?>:<?>)" in messages[0] and "(= arn:<?>:sns:<?>:<?>:<?>)" in messages[1]


def test_a_note_on_code_not_followed_spans_the_block() -> None:
    call = Unfollowed("module", "module.trail", "cloudposse/cloudtrail/aws 0.24.0", Location("main.tf", 4, 1, 9))
    [finding] = unfollowed_findings([call, call], "warn")
    assert (finding.rule, finding.kind, finding.line, finding.end_line, finding.severity) == \
        ("CTL010", "module-not-followed", 4, 9, "warning")
    assert unfollowed_findings([call], "fail")[0].severity == "error"


def _tree(keys: str) -> list[tuple[Assumption, ...]]:
    """Every variant of a decision tree over ``keys``, in the order explore gives them."""
    return [tuple(Assumption(k, f"var.{k}", v) for k, v in zip(keys, values))
            for values in itertools.product([True, False], repeat=len(keys))]


def _described(keys: str, holding: tuple[int, ...]) -> list[str]:
    every = _tree(keys)
    return [" and ".join(a.describe() for a in cube) for cube in _cubes(every, [every[i] for i in holding])]


@pytest.mark.parametrize(("keys", "holding", "conditions"), [
    ("ab", (0, 1), ["var.a is true"]),
    ("ab", (0, 1, 2, 3), [""]),
    ("ab", (0, 3), ["var.a is false and var.b is false", "var.a is true and var.b is true"]),
    ("ab", (1, 2), ["var.a is false and var.b is true", "var.a is true and var.b is false"]),
    ("ab", (0, 1, 2), ["var.a is true and var.b is false", "var.b is true"]),
    ("zab", (0, 1, 6, 7), ["var.z is false and var.a is false", "var.z is true and var.a is true"]),
    ("zab", (0, 2, 4, 6), ["var.b is true"]),
    ("zab", (0, 1, 2), ["var.z is true and var.a is true and var.b is false", "var.z is true and var.b is true"]),
])
def test_variants_sharing_a_finding_are_merged_into_few_conditions(keys: str, holding: tuple[int, ...],
                                                                    conditions: list[str]) -> None:
    """Conditions in the order the trail met them (z before a), the conjunctions sorted."""
    assert _described(keys, holding) == conditions


def test_a_finding_in_every_variant_has_no_condition_even_when_merging_cannot_show_it() -> None:
    """Branches that meet the conditions in different orders (b, then a or c) do not merge back to the
    root pair by pair; a finding in all of them still holds unconditionally."""

    def leaf(*literals: tuple[str, bool]) -> tuple[Assumption, ...]:
        return tuple(Assumption(k, f"var.{k}", v) for k, v in literals)

    every = [leaf(("b", True), ("a", True)), leaf(("b", True), ("a", False), ("c", True)),
             leaf(("b", True), ("a", False), ("c", False)), leaf(("b", False), ("c", True)),
             leaf(("b", False), ("c", False), ("a", True)), leaf(("b", False), ("c", False), ("a", False))]
    assert _cubes(every, every) == [()]
    assert _cubes(every, every[:3]) == [leaf(("b", True))]
