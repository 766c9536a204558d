"""Rule documentation rendered from the rule classes: ``--explain``, SARIF help and docs/rules pages."""

from __future__ import annotations

from .rules import Rule


def markdown(rule: Rule) -> str:
    """The rule's page under ruff's headings; the source of docs/rules/<ID>.md and SARIF help."""
    refs = "\n".join(f"- {ref}" for ref in rule.references)
    return f"""# {rule.id} {rule.name}

{rule.title}. Severity: **{rule.severity}**. Status: {rule.status}.

## What it does

{rule.what}

## Why is this bad?

{rule.why}

## How to fix

{rule.fix}

## Example (Terraform)

Failing:

```hcl
{rule.terraform.bad.strip()}
```

Fixed:

```hcl
{rule.terraform.good.strip()}
```

## Example (CloudFormation)

Failing:

```yaml
{rule.cloudformation.bad.strip()}
```

Fixed:

```yaml
{rule.cloudformation.good.strip()}
```

## References

{refs}
"""


def text(rule: Rule) -> str:
    """The rule's page as plain text for a terminal (``--explain``)."""
    lines = []
    in_code = False
    for line in markdown(rule).splitlines():
        if line.startswith("```"):
            in_code = not in_code  # a `# comment` in an example is code, not a heading
            continue
        lines.append(line.lstrip("#").strip() if line.startswith("#") and not in_code else line)
    return "\n".join(lines) + "\n"
