"""Three-valued wildcard matching of IAM patterns against values that may be partly unknown.

A pattern (an ``Action``, a ``Resource``, a condition value) and a target (the request's action, the
log-stream ARN CloudTrail writes to, the trail's ARN) are both turned into tokens. Unknown parts of a
target or pattern (:data:`~.model.UNKNOWN_SEGMENT`, :data:`~.model.UNKNOWN_ANY`, symbols) are
*existential*: some single value we do not know. The target may end in a *stream* token: the names
CloudTrail gives the log streams it creates, which a policy must cover *all* of (or, for a Deny,
*some* of). Matching answers True (for every value of the unknowns), False (for none) or None.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT

Tri = Optional[bool]

#: Opens and closes a *symbol*: an unknown value without ``:`` or ``*`` that is known to be equal to
#: every other occurrence of the same symbol (e.g. "the deploying account").
SYMBOL_OPEN = "\x02"
SYMBOL_CLOSE = "\x03"

# Token kinds. A token is a (kind, value) pair.
LIT = "c"        # one literal character
STAR = "*"       # value: whether it may match ':' as well
QMARK = "?"      # value: whether it may match ':' as well
SEG = "s"        # unknown text without ':' or '*'
ANY = "a"        # unknown text, anything
SYM = "y"        # value: the symbol's name; unknown text without ':' or '*', equal to itself
STREAM = "t"     # the log-stream names CloudTrail creates: text without ':' or '*'

Token = tuple[str, object]
Tokens = tuple[Token, ...]

#: Patterns or targets longer than this are not matched (the answer is None): a guard against
#: quadratic work on hostile input. Real ARNs are a few hundred characters at most.
MAX_TOKENS = 2048

#: Alignment steps one check may take in all (a few seconds at most); real policies need hundreds.
DEFAULT_STEPS = 250_000


class Budget:
    """How many alignment steps matching may still take; shared by every match of one check, so
    hostile policies (thousands of patterns full of wildcards) cannot make the linter hang."""

    __slots__ = ("left",)

    def __init__(self, steps: int = DEFAULT_STEPS) -> None:
        self.left = steps


class _Exhausted(Exception):
    pass

_STREAM_TOKEN: Token = (STREAM, None)


def symbol(name: str) -> str:
    """The text that stands for the symbol ``name`` inside a value."""
    return f"{SYMBOL_OPEN}{name}{SYMBOL_CLOSE}"


#: The deployment's partition, region and account, when only "the deployment's" is known.
PARTITION = symbol("partition")
REGION = symbol("region")
ACCOUNT = symbol("account")


def contextualize(text: str, partition: str | None = None, region: str | None = None,
                  account: str | None = None) -> str:
    """``text`` with ARN partition/region/account fields that are exactly a placeholder replaced by the
    given value, or by the symbol for the deployment's one (the resolvers rebuild ARNs AWS computes
    with such placeholders, so they stand for the same value wherever they appear)."""
    if not text.startswith("arn:"):
        return text
    parts = text.split(":", 5)
    if len(parts) < 6:
        return text
    for index, given, sym in ((1, partition, PARTITION), (3, region, REGION), (4, account, ACCOUNT)):
        if parts[index] == UNKNOWN_SEGMENT:
            parts[index] = given or sym
    return ":".join(parts)


_LITERALS: dict[str, Token] = {}
#: Characters a scan must look at; runs of other characters are literal text.
_SPECIAL = re.compile(r"[*?$:\x00-\x03]")


def _lit(ch: str) -> Token:
    """The token of one literal character (shared objects, so long patterns stay small)."""
    token = _LITERALS.get(ch)
    if token is None:
        token = (LIT, ch)
        if len(_LITERALS) < 4096:
            _LITERALS[ch] = token
    return token


def _unknown_token(text: str, i: int) -> tuple[Token, int] | None:
    """The placeholder or symbol token starting at ``text[i]`` and the index after it."""
    ch = text[i]
    if ch == UNKNOWN_ANY:
        return (ANY, None), i + 1
    if ch == UNKNOWN_SEGMENT:
        return (SEG, None), i + 1
    if ch == SYMBOL_OPEN:
        end = text.find(SYMBOL_CLOSE, i + 1)
        if end < 0:
            return (ANY, None), i + 1
        return (SYM, text[i + 1:end]), end + 1
    if ch == SYMBOL_CLOSE:
        return (ANY, None), i + 1
    return None


def _variable(text: str, i: int) -> tuple[Token, int] | None:
    """A policy variable ``${...}`` at ``text[i]`` (2012-10-17 documents): its token and the index after it."""
    if not text.startswith("${", i):
        return None
    end = text.find("}", i + 2)
    if end < 0:
        return None
    name = text[i + 2:end]
    if name in ("*", "?", "$"):
        return _lit(name), end + 1
    return (ANY, None), end + 1


def _scan(text: str, *, wildcards: str, variables: bool, fold: bool) -> Tokens:
    """Tokens of a value or pattern.

    ``wildcards`` says whether ``*`` and ``?`` are wildcards and where they may match a colon:
    ``""`` (not wildcards: a target value or StringEquals), ``"always"`` (actions, StringLike),
    ``"segment-end"`` (Resource: a ``*`` that ends a colon-separated segment runs on past colons) or
    ``"arn"`` (ArnLike: only within the sixth, resource, component).
    """
    if fold:
        text = text.lower()
    out: list[Token] = []
    colons = 0
    i = 0
    n = len(text)
    while i < n:
        match = _SPECIAL.search(text, i)
        stop = match.start() if match else n
        if stop > i:
            out.extend(map(_lit, text[i:stop]))
            i = stop
            continue
        unknown = _unknown_token(text, i)
        if unknown:
            out.append(unknown[0])
            i = unknown[1]
            continue
        ch = text[i]
        var = _variable(text, i) if variables and ch == "$" else None
        if var:
            out.append(var[0])
            i = var[1]
            continue
        i += 1
        if ch == ":":
            colons += 1
        if ch not in "*?" or not wildcards:
            out.append(_lit(ch))
            continue
        if wildcards == "always":
            cross = True
        elif wildcards == "arn":
            cross = colons >= 5
        else:  # segment-end
            cross = ch == "*" and (i == n or text[i] == ":")
        if ch == "*" and out and out[-1][0] == STAR:  # "**" matches what "*" matches
            out[-1] = (STAR, bool(out[-1][1]) or cross)
        else:
            out.append((STAR if ch == "*" else QMARK, cross))
    return tuple(out)


def literal(text: str, *, fold: bool = False) -> Tokens:
    """A target value: every character literal, placeholders and symbols unknown."""
    return _scan(text, wildcards="", variables=False, fold=fold)


@lru_cache(maxsize=1024)
def resource_pattern(text: str, *, variables: bool = True) -> Tokens:
    """A ``Resource``/``NotResource`` entry (case-sensitive; a ``*`` ending a segment crosses colons)."""
    return _scan(text, wildcards="segment-end", variables=variables, fold=False)


@lru_cache(maxsize=1024)
def action_pattern(text: str) -> Tokens:
    """An ``Action``/``NotAction`` entry (case-insensitive)."""
    return _scan(text, wildcards="always", variables=False, fold=True)


def like_pattern(text: str, *, fold: bool = False, variables: bool = True) -> Tokens:
    """A StringLike value: ``*`` and ``?`` match any characters."""
    return _scan(text, wildcards="always", variables=variables, fold=fold)


def arn_pattern(text: str, *, variables: bool = True) -> Tokens:
    """An ArnLike/ArnEquals value: wildcards stay within each of the six ARN components."""
    return _scan(text, wildcards="arn", variables=variables, fold=False)


def exact_pattern(text: str, *, fold: bool = False, variables: bool = True) -> Tokens:
    """A StringEquals value: no wildcards (policy variables are still unknown)."""
    return _scan(text, wildcards="", variables=variables, fold=fold)


def with_streams(tokens: Tokens) -> Tokens:
    """``tokens`` followed by the names CloudTrail gives its streams (a suffix without ``:``)."""
    return (*tokens, _STREAM_TOKEN)


def _star_takes(cross: object, tk: Token, sure: bool) -> bool:
    kind = tk[0]
    if kind == LIT:
        return bool(cross) or tk[1] != ":"
    if kind == ANY:
        return bool(cross) or not sure
    return True  # SEG, SYM, STREAM: no colon


def _target_flexible(tk: Token, sure: bool, all_streams: bool) -> bool:
    kind = tk[0]
    if kind == STREAM:
        return not all_streams
    return kind in (SEG, ANY, SYM) and not sure


def _target_takes(tk: Token, pk: Token, sure: bool) -> bool:
    """Whether the unknown target token ``tk`` can be (part of) what the pattern token ``pk`` matches."""
    if tk[0] == ANY:
        return True
    kind = pk[0]
    if kind == LIT:
        return pk[1] != ":"
    if kind == ANY:
        return not sure
    return True  # QMARK, STAR, SEG, SYM


def _pattern_takes(pk: Token, tk: Token) -> bool:
    """Whether the unknown pattern token ``pk`` can be (part of) the text of target token ``tk``."""
    if pk[0] == ANY:
        return True
    kind = tk[0]
    if kind == LIT:
        return tk[1] != ":"
    return kind in (SEG, SYM, ANY)


def _reach(pattern: Tokens, target: Tokens, sure: bool, all_streams: bool, budget: Budget) -> bool:
    """Whether ``pattern`` can be aligned with ``target``.

    With ``sure``, unknowns in the target must be taken whole by wildcards and unknowns in the
    pattern match only the same symbol: a True answer holds for every value of the unknowns. Without
    it, unknowns may stand for whatever is needed: a False answer holds for every value. Stream tokens
    must be taken by wildcards when ``all_streams`` (every name must match), and may stand for any
    text without ``:`` otherwise (some name must match).
    """
    n, m = len(pattern), len(target)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        budget.left -= 1
        if budget.left < 0:
            raise _Exhausted
        i, j = state
        if i == n and j == m:
            return True
        pk = pattern[i] if i < n else None
        tk = target[j] if j < m else None
        if pk is not None and pk[0] == STAR:
            stack.append((i + 1, j))
            if tk is not None and _star_takes(pk[1], tk, sure):
                stack.append((i, j + 1))
        if tk is not None and _target_flexible(tk, sure, all_streams):
            stack.append((i, j + 1))
            if pk is not None and _target_takes(tk, pk, sure):
                stack.append((i + 1, j))
        if pk is not None and not sure and pk[0] in (SEG, ANY, SYM):
            stack.append((i + 1, j))
            if tk is not None and _pattern_takes(pk, tk):
                stack.append((i, j + 1))
        if pk is None or tk is None:
            continue
        same_symbol = pk[0] == SYM and tk[0] == SYM and pk[1] == tk[1]
        same_char = tk[0] == LIT and (
            (pk[0] == LIT and pk[1] == tk[1]) or (pk[0] == QMARK and (bool(pk[1]) or tk[1] != ":")))
        if same_symbol or same_char:
            stack.append((i + 1, j + 1))
    return False


#: Answers already found, by (pattern, target, all_streams): every trail of a repository asks about the
#: same few actions and policies. Bounded, so hostile input cannot grow it without limit.
_DECIDED: dict[tuple[Tokens, Tokens, bool], Tri] = {}
_DECIDED_MAX = 4096
_UNDECIDED = object()


def _decide(pattern: Tokens, target: Tokens, all_streams: bool, budget: Budget | None) -> Tri:
    if len(pattern) > MAX_TOKENS or len(target) > MAX_TOKENS:
        return None
    key = (pattern, target, all_streams)
    known = _DECIDED.get(key, _UNDECIDED)
    if known is not _UNDECIDED:
        return known
    if all(tk[0] == LIT for tk in pattern) and all(tk[0] == LIT for tk in target):
        answer: Tri = pattern == target  # plain text on both sides: no alignment to search
    else:
        steps = budget if budget is not None else Budget()
        try:
            if _reach(pattern, target, True, all_streams, steps):
                answer = True
            elif not _reach(pattern, target, False, all_streams, steps):
                answer = False
            else:
                answer = None
        except _Exhausted:
            return None  # out of steps for this check: not an answer to remember
    if len(_DECIDED) < _DECIDED_MAX:
        _DECIDED[key] = answer
    return answer



def covers(pattern: Tokens, target: Tokens, budget: Budget | None = None) -> Tri:
    """Whether ``pattern`` matches ``target`` for every stream name CloudTrail may create (if any)."""
    return _decide(pattern, target, True, budget)


def touches(pattern: Tokens, target: Tokens, budget: Budget | None = None) -> Tri:
    """Whether ``pattern`` matches ``target`` for at least one stream name (if the target has streams)."""
    return _decide(pattern, target, False, budget)


def matches(pattern: Tokens, target: Tokens, budget: Budget | None = None) -> Tri:
    """Whether ``pattern`` matches ``target`` (a target without stream tokens)."""
    return _decide(pattern, target, True, budget)


def has_unknown(text: str) -> bool:
    """Whether ``text`` contains a placeholder or symbol."""
    return any(ch in text for ch in (UNKNOWN_ANY, UNKNOWN_SEGMENT, SYMBOL_OPEN, SYMBOL_CLOSE))


# Three-valued logic.

def tri_not(a: Tri) -> Tri:
    return None if a is None else not a


def tri_and(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


def tri_or(*values: Tri) -> Tri:
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None
