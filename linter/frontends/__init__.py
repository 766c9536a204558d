"""Front-ends: read Terraform and CloudFormation files into syntax trees that keep positions."""

#: Most levels of nesting a document may have (YAML/JSON collections, HCL blocks and expressions).
#: Real templates and modules stay far below; hostile inputs nest 100,000 levels deep.
MAX_DEPTH = 500


class ParseError(Exception):
    """An input could not be read; carries the line (0 when unknown) and the reason."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class NotIaC(Exception):
    """The file is not infrastructure as code this linter reads; skip it silently."""
