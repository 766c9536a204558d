#!/usr/bin/env python3
"""A long fuzzing session for cloudtrail-lint (issue #6), outside CI.

Usage: .venv/bin/python bench/fuzz_long.py [--minutes 5] [--examples 20000] [--only NAME ...] [--seed N]

Runs the properties of tests/test_fuzz.py with a large budget, in rounds over every property, until
the time or the number of examples runs out: the whole command on generated Terraform modules and
CloudFormation templates (valid, and mutated at byte level) and the front-ends alone on random text.
A failing property is shrunk by Hypothesis, printed with its falsifying example and left out of the
later rounds; the session goes on with the others. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests import test_fuzz as fuzz  # noqa: E402

CHUNK = 250  # examples per property and round


def _in_locals(expr: str) -> str:
    return f"locals {{\n  x = {expr}\n}}\n"


def _main_tf(files: dict[str, str]) -> tuple[str, str]:
    return "main.tf", files["main.tf"]


def properties() -> dict[str, tuple[st.SearchStrategy, object]]:
    """Name: (strategy of argument tuples, the CI test whose body checks one example)."""
    return {
        "terraform": (st.tuples(fuzz.terraform_module()), fuzz.test_fuzz_terraform_modules),
        "cloudformation": (st.tuples(fuzz.cfn_template(), fuzz.FORMS), fuzz.test_fuzz_valid_cloudformation),
        "mutated-cloudformation": (
            st.tuples(fuzz.mutated(st.builds(fuzz.serialise, fuzz.cfn_template(), fuzz.FORMS))),
            fuzz.test_fuzz_mutated_cloudformation),
        "mutated-terraform": (st.tuples(fuzz.mutated(fuzz.terraform_module().map(_main_tf))),
                              fuzz.test_fuzz_mutated_terraform),
        "decode-bytes": (st.tuples(st.binary(max_size=4000)), fuzz.test_fuzz_decode_bytes),
        "yaml-loader": (st.tuples(st.one_of(fuzz.YAMLISH, st.text(max_size=400))),
                        fuzz.test_fuzz_yaml_loader),
        "hcl-parser": (st.tuples(st.one_of(fuzz.HCLISH, fuzz.HCL_EXPR.map(_in_locals))),
                       fuzz.test_fuzz_hcl_parser),
    }


def run_chunk(strategy: st.SearchStrategy, test, count: Counter, name: str, seed: int) -> None:
    body = test.hypothesis.inner_test  # the test without its @given: checks one example

    @settings(max_examples=CHUNK, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(strategy)
    def check(args: tuple) -> None:
        count[name] += 1
        body(*args)

    check._hypothesis_internal_use_seed = seed  # a different stream of examples every round
    check()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--examples", type=int, default=20_000, help="stop after this many examples in all")
    parser.add_argument("--only", nargs="*", help="property names (default: all)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cache = tempfile.mkdtemp(prefix="ctl-fuzz-cache-")  # exercised too, but never the user's cache
    os.environ["CLOUDTRAIL_LINT_CACHE_DIR"] = cache
    props = properties()
    active = [n for n in props if not args.only or n in args.only]
    count: Counter = Counter()
    failures: dict[str, str] = {}
    start = time.monotonic()
    deadline = start + args.minutes * 60
    rounds = 0
    while active and time.monotonic() < deadline and sum(count.values()) < args.examples:
        rounds += 1
        for name in list(active):
            if time.monotonic() >= deadline or sum(count.values()) >= args.examples:
                break
            strategy, test = props[name]
            try:
                run_chunk(strategy, test, count, name, rng.randrange(2**32))
            except Exception:  # a falsified property: Hypothesis has shrunk it and printed the example
                failures[name] = traceback.format_exc(limit=-3)
                active.remove(name)
                print(f"FAILED {name}:\n{failures[name]}", file=sys.stderr, flush=True)
        done = sum(count.values())
        elapsed = time.monotonic() - start
        print(f"round {rounds}: {done} examples, {elapsed:.0f}s", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - start
    print(f"\n{sum(count.values())} examples in {elapsed:.0f}s ({rounds} rounds)")
    for name in props:
        if not args.only or name in args.only:
            state = "FAILED" if name in failures else "ok"
            print(f"  {name:<24} {count[name]:>7} examples  {state}")
    for name, text in failures.items():
        print(f"\n--- {name}\n{text}")
    shutil.rmtree(cache, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
