"""What delivery needs of accounts and ARNs, kept light: a literal role ARN outside the code is checked
with this module alone (the policy evaluation is imported only for a role defined in the code).

:class:`Failure` and :class:`Undecided` are the two outcomes of every part of the delivery check;
:func:`check_accounts` finds the trail, its log group and its role in different accounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT
from .match import SYMBOL_CLOSE, SYMBOL_OPEN, contextualize

_ACCOUNT_ID = re.compile(r"\d{12}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Failure:
    """A part of delivery that certainly fails: ``kind`` is the slug, ``message`` says what to change."""

    kind: str
    message: str


@dataclass(frozen=True)
class Undecided:
    """A part of delivery that could not be checked (``check``: trust, create-log-stream, ...), and why."""

    check: str
    reason: str


@dataclass(frozen=True)
class LogGroupArn:
    """The fields of a log-group ARN; each may hold placeholders or symbols."""

    partition: str
    region: str
    account: str
    name: str

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{self.name}"


def show(text: str) -> str:
    """A value as messages show it: unknown parts named, no control characters."""
    def sym(match: re.Match[str]) -> str:
        return f"<{match.group(1)}>"
    text = re.sub(f"{SYMBOL_OPEN}([^{SYMBOL_CLOSE}]*){SYMBOL_CLOSE}", sym, text)
    text = text.replace(UNKNOWN_SEGMENT, "<?>").replace(UNKNOWN_ANY, "<unknown>")
    return _CONTROL.sub("?", text)


def parse_log_group_arn(value: Any, partition: str | None = None, region: str | None = None,
                        account: str | None = None) -> LogGroupArn | str:
    """The fields of the trail's ``CloudWatchLogsLogGroupArn`` (with or without ``:*``), or why not."""
    if value is None or _is_unknown(value):
        return "the log group ARN is not known"
    if not isinstance(value, str):
        return "the log group ARN is not a string"
    text = contextualize(value, partition, region, account)
    if text.endswith(":*"):
        text = text[:-2]
    parts = text.split(":")
    if len(parts) == 7 and parts[0] == "arn" and parts[2] == "logs" and parts[5] == "log-group" and parts[6]:
        return LogGroupArn(parts[1], parts[3], parts[4], parts[6])
    if UNKNOWN_ANY in text:
        return f"the log group ARN {show(value)} is not known well enough to compare"
    return f"{show(value)} is not a log-group ARN"


def account_of(arn: str | None) -> str | None:
    """The account field of an ARN when it is a literal account id or a symbol, else None."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    field = parts[4]
    if _ACCOUNT_ID.match(field) or (field.startswith(SYMBOL_OPEN) and field.endswith(SYMBOL_CLOSE)):
        return field
    return None


def accounts_differ(a: str | None, b: str | None) -> bool | None:
    """True when both accounts are known and differ, False when certainly equal, None otherwise."""
    if a is None or b is None:
        return None
    if a == b:
        return False
    if _ACCOUNT_ID.match(a) and _ACCOUNT_ID.match(b):
        return True
    return None


def check_accounts(trail_account: str | None, group: LogGroupArn | None, role_arn: str | None) -> list[Failure]:
    """``account-mismatch`` when the trail, its log group and its role are not all in one account."""
    group_account = account_of(group.arn) if group else None
    role_account = account_of(role_arn)
    out = []
    for what, other in (("log group", group_account), ("role", role_account)):
        if accounts_differ(trail_account, other):
            out.append(Failure("account-mismatch", f"the {what} is in account {other} but the trail is in account "
                                                   f"{trail_account}; CloudTrail delivers only through a role and "
                                                   "to a log group in the trail's own account"))
    if not out and accounts_differ(group_account, role_account):
        out.append(Failure("account-mismatch", f"the log group is in account {group_account} and the role in "
                                               f"account {role_account}; both must be in the trail's account"))
    return out


def undecided_accounts(trail_account: str | None, group: LogGroupArn | None, role_arn: str | None
                       ) -> list[Undecided]:
    """The accounts that cannot be compared: a literal account of the log group or role against the
    deploying account when the code does not pin it (a symbol), so a mismatch cannot be ruled out."""
    out = []
    group_account = account_of(group.arn) if group else None
    for what, other in (("log group", group_account), ("role", account_of(role_arn))):
        if other is not None and trail_account is not None and accounts_differ(trail_account, other) is None \
                and other != trail_account and _ACCOUNT_ID.match(other):
            out.append(Undecided("account", f"the {what} is in account {other} (a literal ARN) and the trail in the "
                                            "account the code is deployed to, which the code does not pin (pin it "
                                            "with the Terraform provider's allowed_account_ids, or build the ARN "
                                            "from the deploying account)"))
    return out




def _is_unknown(value: Any) -> bool:
    from ..resolver.common import Unknown  # light; the resolvers' marker for a value known only at deployment

    return isinstance(value, Unknown)
