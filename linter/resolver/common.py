"""Evaluation both resolvers share: variants over undecidable conditions, the evaluation budget, ARNs
AWS computes, finding the log group an ARN names, and turning results into model values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from ..arn import log_group_name_from_arn
from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT, Assumption, Location, State, Value

SEG = UNKNOWN_SEGMENT

#: Most evaluations of one trail when conditions cannot be decided, counting those that found the conditions:
#: every combination of three conditions (8 variants) fits; a fourth stays an unknown in each of them.
MAX_VARIANTS = 16
#: Integers longer than this cannot be printed (Python's int-string conversion limit, 4,300 digits).
MAX_INT_BITS = 14_284


# --------------------------------------------------------------------------- unknowns and traces


class Unknown:
    """A value that cannot be known before deployment, with the reason in words a user can act on."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class Defaulted(Unknown):
    """A value only a default decides: a root module's variable that whoever deploys may set (``-var``,
    ``TF_VAR_``), read where that choice decides whether a trail exists (``count``, ``for_each``)."""

    __slots__ = ("default",)

    def __init__(self, reason: str, default: Any) -> None:
        super().__init__(reason)
        self.default = default


@dataclass(frozen=True)
class Undecided:
    """A condition an evaluation met and could not decide: its key, how to name it, its default value."""

    key: str
    text: str
    default: bool | None = None


class Trace:
    """What one evaluation touched: resources it read, dangling references, reasons, open conditions."""

    def __init__(self) -> None:
        self.refs: list[Any] = []
        self.dangling: list[str] = []
        self.reasons: list[str] = []
        self.undecided: list[Undecided] = []
        #: Root-module variables whose default value was used.
        self.defaults: list[str] = []

    def merge(self, other: Trace) -> None:
        for mine, theirs in ((self.refs, other.refs), (self.dangling, other.dangling),
                             (self.reasons, other.reasons), (self.undecided, other.undecided),
                             (self.defaults, other.defaults)):
            for item in theirs:
                if item not in mine:
                    mine.append(item)

    def unknown(self, reason: str) -> Unknown:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return Unknown(reason)

    def missing(self, what: str) -> Unknown:
        """A reference to something that is not defined (CTL005 reports it)."""
        if what not in self.dangling:
            self.dangling.append(what)
        return Unknown(f"{what} is not defined")

    def undecidable(self, condition: Undecided) -> None:
        if condition not in self.undecided:
            self.undecided.append(condition)


# --------------------------------------------------------------------------- the evaluation budget


class LimitReached(Exception):
    """An evaluation went past its :class:`Budget`; the message says which limit."""


class Budget:
    """How much work one trail's evaluation may do, in both resolvers: hostile files (doubling strings,
    huge counts, fan-out of mappings or modules) end as an unknown value, not a hang or a MemoryError."""

    #: Expressions evaluated per trail (a real trail takes a few hundred).
    STEPS = 200_000
    #: Characters of one string value.
    STRING = 1_000_000
    #: Items of one list or map.
    ITEMS = 100_000
    #: Instances of one resource (count, for_each).
    INSTANCES = 1_000

    def __init__(self) -> None:
        self.steps = 0

    def renew(self) -> None:
        """A new allowance of steps, for the next of a trail's values (one value's blow-up must not make
        the others unknown)."""
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.STEPS:
            raise LimitReached(f"more than {self.STEPS:,} expressions evaluated")

    def text(self, value: str) -> str:
        if len(value) > self.STRING:
            raise LimitReached(f"a string longer than {self.STRING:,} characters")
        return value

    def charge(self, *values: Any) -> None:
        """Count the work a function or comparison will do on ``values``: every item of a list or map one
        step, strings one step per 256 characters. Walks at most what the budget has left, so values that
        share parts (a list doubled at each of 40 levels) cannot make it slow."""
        stack = list(values)
        while stack:
            value = stack.pop()
            self.steps += 1
            if isinstance(value, str):
                self.steps += len(value) >> 8
            elif isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, (list, tuple)):
                stack.extend(value)
            if self.steps > self.STEPS:
                raise LimitReached(f"more than {self.STEPS:,} steps of evaluation")

    def items(self, count: int) -> None:
        if count > self.ITEMS:
            raise LimitReached(f"a list or map of more than {self.ITEMS:,} items")

    def instances(self, count: int, what: str) -> None:
        if count > self.INSTANCES:
            raise LimitReached(f"{what} has {count:,} instances, more than {self.INSTANCES:,}")


# --------------------------------------------------------------------------- variants

R = TypeVar("R")


@dataclass
class Leaf(Generic[R]):
    """One variant: the assumptions it was evaluated under and what the evaluation gave."""

    assumptions: tuple[Assumption, ...]
    result: R


def explore(evaluate: Callable[[dict[str, bool]], tuple[R, list[Undecided]]],
            start: dict[str, bool] | None = None, fixed: Iterable[Assumption] = ()) -> list[Leaf[R]]:
    """Evaluate under every assignment of the undecidable conditions the evaluation meets.

    An evaluation that meets an undecided condition is replaced by two, one per branch, until every
    condition met is assumed or :data:`MAX_VARIANTS` evaluations were made; the leaves are returned in
    order. ``fixed`` are assumptions made for every variant (a resource's own condition); they are not
    repeated in the leaves.
    """
    named: dict[str, Undecided] = {}
    pending: list[dict[str, bool]] = [dict(start or {})]
    evaluations = 0
    leaves: list[Leaf[R]] = []
    fixed_keys = {a.key for a in fixed}
    while pending:
        assumed = pending.pop(0)
        evaluations += 1
        result, undecided = evaluate(assumed)
        for cond in undecided:
            named.setdefault(cond.key, cond)
        open_keys = [c.key for c in undecided if c.key not in assumed]
        if open_keys and evaluations + len(pending) + 2 <= MAX_VARIANTS:
            pending.extend({**assumed, open_keys[0]: choice} for choice in (True, False))
            continue
        described = tuple(
            Assumption(key, named[key].text if key in named else key, holds,
                       named[key].default if key in named else None)
            for key, holds in assumed.items() if key not in fixed_keys)
        leaves.append(Leaf(described, result))
    return leaves


# --------------------------------------------------------------------------- ARNs AWS computes


def log_group_arn(name: str, wildcard: bool = True) -> str:
    """The ARN of the log group ``name`` (region and account unknown), with or without ``:*``.

    A log group name holds no ``:`` or ``*``, so an unknown part of it (``/aws/cloudtrail/${var.env}``)
    is an unknown segment: the ARN's shape is known, and so is the log group it names.
    """
    return f"arn:{SEG}:logs:{SEG}:{SEG}:log-group:{_segment(name)}" + (":*" if wildcard else "")


def role_arn(name: str, path: Any = None) -> str:
    """The ARN of the IAM role ``name`` under ``path`` (account unknown); as for log groups, an unknown
    part of a role's name or path is an unknown segment."""
    prefix = path.strip("/") + "/" if isinstance(path, str) and path.strip("/") else ""
    return f"arn:{SEG}:iam::{SEG}:role/{_segment(prefix)}{_segment(name)}"


def _segment(text: str) -> str:
    return text.replace(UNKNOWN_ANY, SEG)


def service_arn(service: str) -> str:
    """The ARN of some resource of ``service`` whose shape is not modelled."""
    return f"arn:{SEG}:{service}:{SEG}:{SEG}:{SEG}"


# --------------------------------------------------------------------------- log groups


G = TypeVar("G")


def group_named_in(arn: Any, groups: Iterable[tuple[G, Callable[[], Any]]]) -> G | None:
    """The log group whose name a literal ARN carries: ``groups`` are (group, its evaluated name) pairs,
    the names computed only as needed."""
    if not isinstance(arn, str):
        return None
    wanted = log_group_name_from_arn(arn)
    if wanted is None:
        return None
    for group, name in groups:
        if name() == wanted:
            return group
    return None


# --------------------------------------------------------------------------- model values


def to_value(result: Any, trace: Trace, source: str, unset_reason: str, location: Location | None = None) -> Value:
    """Turn an evaluation result into a :class:`Value` with one of the three outcomes."""
    dangling = tuple(trace.dangling)
    if isinstance(result, Unknown):
        return Value(State.UNKNOWN, None, result.reason, source, (), dangling, location)
    if result is None:
        return Value(State.MISSING, None, f"{source} is null" if source else unset_reason, source, (), (),
                     location)
    if isinstance(result, str) and not result.strip():
        return Value(State.MISSING, None, f"{source} is an empty string" if source else unset_reason, source,
                     (), (), location)
    if isinstance(result, str) and UNKNOWN_ANY in result:
        reason = "; ".join(trace.reasons) or "part of the value is not known before deployment"
        return Value(State.UNKNOWN, result, reason, source, (), dangling, location)
    return Value(State.KNOWN, result, "", source, (), dangling, location)


def unset(reason: str, location: Location | None = None) -> Value:
    return Value(State.MISSING, None, reason, location=location)


def limit_reached(reason: str, location: Location | None = None) -> Value:
    """The value of an evaluation that went past its budget (CTL010 reports it)."""
    return Value(State.UNKNOWN, None, f"evaluation limit reached: {reason}", location=location)


def as_days(value: Value) -> Value:
    """Normalise a retention value: numbers and numeric strings become ``int``."""
    if not value.known:
        return value
    data = value.data
    if isinstance(data, bool):
        return value
    if isinstance(data, float) and data.is_integer():
        data = int(data)
    elif isinstance(data, str) and data.strip().lstrip("-").isdigit():
        try:
            data = int(data.strip())
        except ValueError:  # more digits than Python reads (sys.get_int_max_str_digits), or "²"
            data = None
    if data is None or (isinstance(data, int) and data.bit_length() > MAX_INT_BITS):
        return Value(State.UNKNOWN, None, "the value is a number too long to read (more than 4300 digits)",
                     value.source, value.refs, value.dangling, value.location)
    if data == value.data and type(data) is type(value.data):
        return value
    return Value(value.state, data, value.reason, value.source, value.refs, value.dangling, value.location)
