"""What the Terraform resolver reads of each block, declared once.

``slim`` keeps exactly this of a file before parsing (blanking the rest, with a marker); the resolver
checks a read against it, and reads anything else from a whole parse of the file, so a run that skips
bodies gives the same findings as ``--parse-all``.
"""

from __future__ import annotations

#: The attribute that marks a block whose body was trimmed before parsing.
UNREAD = "__cloudtrail_lint_unread__"

#: Resource types whose whole bodies the resolver reads.
WHOLE_RESOURCES = frozenset({"aws_cloudtrail", "aws_cloudwatch_log_group", "aws_iam_role_policy"})

_INSTANCES = frozenset({"count", "for_each"})

#: Resource types of which the resolver reads only some attributes (and nested blocks, by type; ``dynamic``
#: keeps every dynamic block). The IAM resources are read for a trail's delivery role (CTL007).
RESOURCE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "aws_iam_role": _INSTANCES | {"name", "name_prefix", "path", "assume_role_policy", "inline_policy", "dynamic",
                                  "managed_policy_arns", "permissions_boundary"},
    "aws_iam_policy": _INSTANCES | {"name", "name_prefix", "path", "policy"},
    "aws_iam_role_policy_attachment": _INSTANCES | {"role", "policy_arn"},
    "aws_iam_policy_attachment": _INSTANCES | {"roles", "policy_arn"},
    "aws_iam_role_policies_exclusive": _INSTANCES | {"role_name", "policy_names"},
    "aws_iam_role_policy_attachments_exclusive": _INSTANCES | {"role_name", "policy_arns"},
}

#: Data sources whose whole bodies the resolver reads (it computes their result itself).
WHOLE_DATA = frozenset({"aws_iam_policy_document"})

#: Other blocks of which the resolver reads only some attributes (a ``data`` block's values are known
#: only at plan time; only its instances matter).
BLOCK_ATTRIBUTES: dict[str, frozenset[str]] = {
    "variable": frozenset({"default"}),
    "output": frozenset({"value"}),
    "data": frozenset({"count", "for_each"}),
}

#: Attributes AWS computes that the resolver derives without reading the body (ARNs and ids).
COMPUTED = frozenset({"arn", "id"})


def kept(block_type: str, resource_type: str = "") -> frozenset[str] | None:
    """The attributes (and nested blocks) of a block that are kept when its body is trimmed (None: the whole
    body is kept). ``resource_type`` is the first label: the type of a resource or data source."""
    if block_type == "resource":
        if resource_type in WHOLE_RESOURCES:
            return None
        return RESOURCE_ATTRIBUTES.get(resource_type, frozenset())
    if block_type == "data" and resource_type in WHOLE_DATA:
        return None
    return BLOCK_ATTRIBUTES.get(block_type)


def was_read(block_type: str, resource_type: str, attribute: str) -> bool:
    """Whether a trimmed block still holds ``attribute`` as written."""
    keep = kept(block_type, resource_type)
    return keep is None or attribute in keep
