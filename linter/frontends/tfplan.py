"""The Terraform plan front-end: ``terraform show -json plan.out`` files, read by content."""

from __future__ import annotations

from typing import Any, ClassVar

from ..discovery import is_cfn_candidate
from .base import FrontEnd, Resolved
from .cloudformation import resolve_documents

PLAN = "terraform-plan"


class TerraformPlanFrontEnd(FrontEnd):
    name = "Terraform plan"
    reads = "doc"
    trail_type: ClassVar[str] = "aws_cloudtrail"

    def claims(self, file_name: str) -> bool:
        return is_cfn_candidate(file_name) and file_name.endswith(".json")

    def scan(self, raw: bytes) -> Any:
        from ..prefilter import scan_document

        return scan_document(raw)

    def resolve(self, ws: Any, found: Any, report: Any) -> list[Resolved]:
        from ..resolver.tfplan import resolve_plan

        return resolve_documents(ws, found, report, PLAN, resolve_plan)

    def fixer(self, ctx: Any) -> Any:
        return None
