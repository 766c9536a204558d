"""Issue #6: the CloudFormation front-end reads templates to the same data as cfn-lint's own decoder.

Every file under ``tests/fixtures/**`` and ``../shared/corpus/**`` that our front-end takes for a
CloudFormation template (or rejects as one) is decoded by both; both must accept it and agree on the
data, or both must reject it. cfn-lint is imported only inside the tests.

Both sides are compared as plain dict/list/str/int/float/bool/None after these normalisations, each a
documented difference between the two decoders, not a bug of either:

N1  ``!GetAtt A.B`` (the scalar short form): cfn-lint splits it into ``["A", "B"]`` at the first dot;
    we keep the string, which the resolver splits the same way.
N2  YAML 1.1 timestamps (``2010-09-09``, ``2001-12-14t21:59:43.10-05:00``): cfn-lint builds ``date``
    and ``datetime`` objects; we keep the text, as CloudFormation reads an unquoted
    ``AWSTemplateFormatVersion: 2010-09-09`` as a string. Compared by reading our text as YAML.
N3  Short-form tags that are no intrinsic function (``!Foo x``): cfn-lint turns any ``!Name`` into
    ``{"Fn::Name": ...}``; we keep an opaque :class:`Tagged` marker that is never evaluated.
N4  ``!!binary``: cfn-lint decodes to bytes; we keep the base64 text (CloudFormation does not support
    the binary tag, so nothing we check can depend on it).
N5  cfn-lint's ``str_node``/``dict_node``/``list_node`` are subclasses of str/dict/list and compare as
    such; booleans are compared strictly (``True`` is not ``1``), NaN equals NaN.
N6  Key order is not compared (merged keys come last in ours, first in cfn-lint's).
N7  A Serverless Framework file gives its CloudFormation part, and ``Fn::ForEach`` loops come expanded:
    for those files the decoded data before these steps is compared (tests/test_places.py checks the
    steps, the loops against cfn-lint's own expansion).
"""

from __future__ import annotations

import datetime
import importlib
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from cloudtrail_lint.frontends import ParseError
from cloudtrail_lint.frontends.cfn import load_document
from cloudtrail_lint.frontends.serverless import is_serverless
from cloudtrail_lint.frontends.yaml_nodes import Tagged, load
from cloudtrail_lint.sources import read_text

from .conftest import FIXTURES, SHARED, shared

CORPORA = {"fixtures": FIXTURES, "corpus": SHARED / "corpus"}
SUFFIXES = (".yaml", ".yml", ".json", ".template")
MAX_SIZE = 20 * 1024 * 1024

#: Files only one side can read, and why (keys: corpus name / path inside it).
OURS_ONLY_REJECTS = {
    "fixtures/hostile_alias_bomb/chain.yaml": "aliases nest the data 600 levels deep; we stop at 500 levels, "
    "cfn-lint has no depth limit",
}
#: Files only we reject with the cfn-lint installed on Python 3.9 (1.46, the last for 3.9), which does not
#: yet bound alias expansion (cfn_yaml._MAX_EXPANDED_NODES); later ones reject them as we do.
OURS_ONLY_REJECTS_WITHOUT_ALIAS_LIMIT = {
    "fixtures/hostile_alias_bomb/bomb.yaml": "aliases expand to billions of nodes; we stop at 2,000,000",
}
CFN_LINT_ONLY_REJECTS = {
    "fixtures/hostile_bom/utf16le_bom.yaml": "cfn-lint reads files as UTF-8 only; we read UTF-16 with a BOM",
    "fixtures/hostile_bom/utf16be_bom.json": "cfn-lint reads files as UTF-8 only; we read UTF-16 with a BOM",
}


def _candidates() -> list[tuple[str, Path]]:
    """Files our front-end reads as CloudFormation templates or rejects as broken ones."""
    out = []
    for corpus, root in CORPORA.items():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            name = path.name
            if path.is_symlink() or not path.is_file() or not name.endswith(SUFFIXES):
                continue
            if name.endswith((".tf.json", ".tfvars.json")):
                continue
            try:
                loaded = load_document(str(path), MAX_SIZE)
            except ParseError:
                loaded = ("error", None)
            if loaded is not None and loaded[0] != "terraform-plan":
                out.append((f"{corpus}/{path.relative_to(root).as_posix()}", path))
    return out


CANDIDATES = _candidates()


def differences(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Where ``ours`` and cfn-lint's ``theirs`` differ, after the normalisations N1-N6."""
    if isinstance(ours, Tagged):  # N3
        expected = "Fn::" + ours.tag.lstrip("!")
        ok = isinstance(theirs, dict) and list(theirs) == [expected]
        return [] if ok else [f"{where}: tag {ours.tag} vs {theirs!r}"]
    if isinstance(theirs, (datetime.date, datetime.datetime)):  # N2
        ok = isinstance(ours, str) and yaml.safe_load(ours) == theirs
        return [] if ok else [f"{where}: {ours!r} vs timestamp {theirs!r}"]
    if isinstance(theirs, bytes):  # N4
        ok = isinstance(ours, str) and yaml.safe_load(f"!!binary {ours}") == theirs
        return [] if ok else [f"{where}: {ours!r} vs binary {theirs!r}"]
    if isinstance(ours, dict) or isinstance(theirs, dict):
        if not (isinstance(ours, dict) and isinstance(theirs, dict)):
            return [f"{where}: {type(ours).__name__} vs {type(theirs).__name__}"]
        keys, their_keys = {str(k): k for k in ours}, {str(k): k for k in theirs}
        if set(keys) != set(their_keys):  # N6: as sets
            return [f"{where}: keys {sorted(set(keys) ^ set(their_keys))[:5]} differ"]
        out = []
        for name, key in keys.items():
            mine, other = ours[key], theirs[their_keys[name]]
            if name == "Fn::GetAtt" and isinstance(mine, str) and isinstance(other, list):  # N1
                mine = mine.split(".", 1)
            out += differences(mine, other, f"{where}/{name}")
        return out
    if isinstance(ours, list) or isinstance(theirs, list):
        if not (isinstance(ours, list) and isinstance(theirs, list)) or len(ours) != len(theirs):
            return [f"{where}: {ours!r:.60} vs {theirs!r:.60}"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, f"{where}[{i}]")]
    if isinstance(ours, float) and isinstance(theirs, float) and math.isnan(ours) and math.isnan(theirs):
        return []  # N5
    if isinstance(ours, bool) or isinstance(theirs, bool):  # N5: strictly
        return [] if type(ours) is type(theirs) and ours == theirs else [f"{where}: {ours!r} vs {theirs!r}"]
    plain = (str, int, float, type(None))
    same_kind = next((t for t in plain if isinstance(ours, t)), None) is next(
        (t for t in plain if isinstance(theirs, t)), object)
    return [] if same_kind and ours == theirs else [f"{where}: {ours!r:.60} vs {theirs!r:.60}"]


def test_the_corpora_are_there() -> None:
    assert len([c for c in CANDIDATES if c[0].startswith("fixtures/")]) >= 40


def test_the_shared_corpus_is_compared_too() -> None:
    shared("corpus")  # skips, saying where to get it, when it is missing
    assert any(c[0].startswith("corpus/") for c in CANDIDATES)


@pytest.mark.parametrize(("name", "path"), CANDIDATES, ids=[c[0] for c in CANDIDATES])
def test_same_data_as_cfn_lint(name: str, path: Path) -> None:
    cfnlint_decode = pytest.importorskip("cfnlint.decode")
    try:
        loaded = load_document(str(path), MAX_SIZE)
        ours, our_error = (loaded[1] if loaded else None), None
    except ParseError as err:
        ours, our_error = None, err.message
    if our_error is None and (is_serverless(str(path)) or "Fn::ForEach::" in path.read_text("utf-8", "replace")):
        ours = load(read_text(str(path))).data  # N7
    theirs, matches = cfnlint_decode.decode(str(path))
    their_error = "; ".join(str(m) for m in matches) if matches else None

    if name in OURS_ONLY_REJECTS or (name in OURS_ONLY_REJECTS_WITHOUT_ALIAS_LIMIT and not hasattr(
            importlib.import_module("cfnlint.decode.cfn_yaml"), "_MAX_EXPANDED_NODES")):
        assert our_error and not their_error, (our_error, their_error)
        return
    if name in CFN_LINT_ONLY_REJECTS:
        assert their_error and not our_error, (our_error, their_error)
        return
    assert bool(our_error) == bool(their_error), f"ours: {our_error!r}; cfn-lint: {their_error!r}"
    if our_error is None:
        assert differences(ours, theirs) == []


# Small documents for the normalisations and YAML features the corpora may not contain.
SYNTHETIC = {
    "short_forms": """
        A: !GetAtt X.Arn
        B: !GetAtt X.Outputs.Name
        C: !GetAtt [X, Arn]
        D: !Sub [a, {b: !Ref c}]
        E: !If [c, !Ref a, !Ref "AWS::NoValue"]
        F: !Select [0, !GetAZs ""]
        G: !Condition IsProd
        H: !Foo bar
        I: !Base64 {Ref: x}
    """,
    "yaml_1_1_scalars": """
        A: [yes, no, on, off, True, y, n]
        B: [0123, 0x1F, 1_000, +1, -0, 0o17, 1e5, 1.5e3, .inf, -.Inf, .nan, ~, null, ""]
        C: 2001-12-14t21:59:43.10-05:00
        D: 2010-09-09
        E: !!binary aGVsbG8=
        F: !!str 12
        G: 190:20:30.15
    """,
    "merge_keys": """
        X: &x {a: 1, b: 0}
        Y: &y {c: 3, a: 9}
        M:
          <<: [*x, *y]
          b: 2
        N:
          b: 2
          <<: *x
    """,
    "aliases": """
        X: &x [1, {k: v}]
        Y: [*x, *x]
    """,
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_same_data_as_cfn_lint_for_yaml_features(name: str) -> None:
    cfnlint_decode = pytest.importorskip("cfnlint.decode")
    body = "\n".join(line[8:] for line in SYNTHETIC[name].strip("\n").splitlines())
    indented = "\n".join(f"  {line}" for line in body.splitlines())
    text = 'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n' + indented
    theirs, matches = cfnlint_decode.decode_str(text + "\n")
    assert not matches
    assert differences(load(text).data, theirs) == []
