"""JUnit XML for CI test views: one test case per trail and rule that ran, one suite per file.

A case fails when the trail has an unsuppressed error finding of that rule, is skipped when all its
findings are suppressed, and passes otherwise (warnings and notes go to ``system-out``). Findings
that belong to no trail (CTL900 at a directive) get a case of their own; an input that could not be
read is a case with an ``error``.

Every attribute and every line of text is :func:`clean` (XML 1.0 cannot hold most control characters
even escaped, and CI test views show the text to people), and the document goes through
:func:`defuse_ci_commands` with XML character references, so no line of it is a CI command.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..findings import Finding, Report
from . import clean, defuse_ci_commands, xml_escape


def _text(lines: list[str]) -> str:
    """Lines of an element's text, each :func:`clean`."""
    return "\n".join(clean(line) for line in lines)


def _line(f: Finding) -> str:
    return f"{f.file}:{f.line}:{f.column}: {f.rule} {f.severity} {f.message} [{f.resource}]"


def render_junit(report: Report) -> str:
    from ..rules import RULES_BY_ID

    by_case: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_case[(f.file, f.resource, f.rule)].append(f)
    suites: dict[str, list[ET.Element]] = defaultdict(list)
    for resource, file, line in report.checked:
        for rule_id in report.rules_run:
            rule = RULES_BY_ID.get(rule_id)
            name = f"{resource} {rule_id} {rule.name if rule else ''}".rstrip()
            suites[file].append(_case(file, name, line, by_case.pop((file, resource, rule_id), [])))
    for (file, resource, rule_id), findings in sorted(by_case.items()):
        first = findings[0]
        name = f"{resource or f'{file}:{first.line}'} {rule_id} {first.name}"
        suites[file].append(_case(file, name, first.line, findings))
    for error in report.errors:
        case = _element("testcase", classname=error.file, name=f"{error.file} could not be processed",
                        file=error.file, line=str(error.line))
        _element("error", case, message=error.message, type="input-error").text = _text(
            [f"{error.file}:{error.line}:{error.column}: error: {error.message}"])
        suites[error.file].append(case)
    root = _element("testsuites", name="cloudtrail-lint")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for file in sorted(suites):
        cases = suites[file]
        counts = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases),
        }
        suite = _element("testsuite", root, name=file, **{k: str(v) for k, v in counts.items()})
        suite.extend(cases)
        for k, v in counts.items():
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    document = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + defuse_ci_commands(document, xml_escape) + "\n"


def _case(file: str, name: str, line: int, findings: list[Finding]) -> ET.Element:
    case = _element("testcase", classname=file, name=name, file=file, line=str(line))
    active = [f for f in findings if not f.suppressed]
    errors = [f for f in active if f.severity == "error"]
    if errors:
        failure = _element("failure", case, message=errors[0].message, type=errors[0].rule)
        failure.text = _text([_line(f) for f in errors])
    elif findings and not active:
        s = findings[0].suppression
        _element("skipped", case, message=f"suppressed ({s.kind}): {s.reason}" if s else "suppressed")
    others = [f for f in active if f.severity != "error"]
    if others:
        _element("system-out", case).text = _text([_line(f) for f in others])
    return case


def _element(tag: str, parent: ET.Element | None = None, **attrs: str) -> ET.Element:
    shown = {k: clean(v) for k, v in attrs.items()}
    return ET.SubElement(parent, tag, shown) if parent is not None else ET.Element(tag, shown)
