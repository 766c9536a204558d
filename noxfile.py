"""Run the test suite on every supported Python that is installed: ``nox`` (``pip install nox``).

``nox -s tests-3.9`` runs one version; ``nox -- -x -k config`` passes arguments to pytest. A version
that is not installed is skipped, not failed (``--error-on-missing-interpreters`` makes it fail).
"""

from __future__ import annotations

import nox

#: Every version ``requires-python`` promises, oldest first.
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = False


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole suite in a fresh virtual environment with the package and its test extras."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-q", "-p", "no:randomly", *session.posargs)


@nox.session(python=PYTHONS[-1])
def lint(session: nox.Session) -> None:
    """ruff over the code and the tests."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", "linter", "rules", "tests", "noxfile.py")
