"""The token stream python-hcl2's parser reads, brought in line with HashiCorp's HCL.

python-hcl2's grammar lexes every comment as a newline and allows one only where a newline may stand,
so it rejects HCL that Terraform reads: ``v = /* c */ "1.0.8"``, ``resource /* c */ "aws_cloudtrail" "t"``,
a line comment between the elements of a list. HashiCorp's parser instead skips ``/* */`` comments
wherever they are, reads a line comment as the newline that ends it, and ignores newlines inside
parentheses, brackets and template interpolations. :class:`TokenFilter` does the same between Lark's
lexer and parser: it drops those tokens (and records every comment it sees, for suppressions), so each
remaining token keeps its own line and column and the text itself is never changed.
docs/hcl-compat.md lists the differences found against HashiCorp's parser and what became of each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: The terminal python-hcl2 uses for a newline and for every kind of comment.
_NEWLINE = "NL_OR_COMMENT"
#: Tokens that open a nesting level, and the level they open: newlines do not count inside "(" levels.
_OPENERS = {"LPAR": "(", "LSQB": "(", "INTERP_START": "(", "DIRECTIVE_START": "(", "LBRACE": "{"}
_CLOSERS = frozenset({"RPAR", "RSQB", "RBRACE"})


class TokenFilter:
    """A Lark post-lexer: hides from python-hcl2's parser the comments and newlines HCL does not read there.

    It takes the place of python-hcl2's own post-lexer, which joins a newline to a binary operator after
    it so that ``a\n+ b`` continues an expression: HCL rejects that outside brackets, and inside them
    this filter drops the newline. (That post-lexer also looks one token ahead, so the lexer would read
    that token in the wrong parser state and an error would be reported a line late.) ``comments`` holds
    ``(line, text)`` for each comment of the last parse, in file order.
    """

    #: Comments and newlines are lexed in every parser state (python-hcl2's grammar names the places where
    #: it accepts them; anywhere else its contextual lexer would not even recognise one).
    always_accept = (_NEWLINE,)

    def __init__(self) -> None:
        self.comments: list[tuple[int, str]] = []
        #: The last token lexed, let through or not (where an error at the end of the text is reported).
        self.last: Any = None

    def process(self, stream: Iterator[Any]) -> Iterator[Any]:
        self.comments = []
        self.last = None
        return self._filter(stream, self.comments)

    def _filter(self, stream: Iterator[Any], comments: list[tuple[int, str]]) -> Iterator[Any]:
        levels: list[str] = []
        previous = ""  # the kind of the last token let through that is not a newline
        for token in stream:
            self.last = token
            kind = token.type
            if kind == _NEWLINE:
                text = token.value
                if text[0] != "\n":  # a comment ("#", "//" or "/*"): the lexer puts no blank before one
                    comments.append((token.line, text.rstrip("\n")))
                    if text.startswith("/*"):
                        continue  # a block comment is nothing to HCL, however many lines it spans
                if levels and levels[-1] == "(":
                    continue  # newlines do not count inside parentheses, brackets and interpolations
                yield token
                continue
            if kind in _OPENERS:
                levels.append(_OPENERS[kind])
            elif kind in _CLOSERS and levels:
                levels.pop()
            elif kind == "FOR" and previous == "LBRACE":
                levels[-1] = "("  # `{ for k, v in m : k => v }`: newlines do not count in a for expression
            previous = kind
            yield token
