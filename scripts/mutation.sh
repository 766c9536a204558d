#!/usr/bin/env bash
# Mutation testing (issue 13 A6): which features of the rules and the resolvers no test would miss.
#
# mutmut 2 edits the files it mutates in place, so this runs in a copy of the checkout (a git worktree
# in a temporary folder) with its own virtual environment; the checkout itself is never touched.
# String literals are not mutated: rule wording is checked by one test per rule (tests/test_rules_unit.py),
# documentation text by tests/test_rule_docs.py. Results: `mutmut results` / `mutmut show ID` in the copy,
# and docs/testing.md for what survived and why.
#
# usage: scripts/mutation.sh [rules|resolvers|all]   (rules: ~15 min; resolvers: hours on 2 CPUs)
set -euo pipefail
what="${1:-rules}"
here="$(cd "$(dirname "$0")/.." && pwd)"
copy="$(mktemp -d)/cloudtrail-lint"
git -C "$here" worktree add --detach "$copy" HEAD >/dev/null
cd "$copy"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet -e '.[test]' 'mutmut>=2.4,<3'
run() {  # paths, tests
  rm -f .mutmut-cache
  .venv/bin/mutmut run --paths-to-mutate "$1" --disable-mutation-types string --tests-dir tests \
    --runner ".venv/bin/python -m pytest -x -q -p no:cacheprovider $2" || true
  .venv/bin/mutmut results
}
if [ "$what" = rules ] || [ "$what" = all ]; then
  run "rules/" "tests/test_rules_unit.py tests/test_rule_examples.py tests/test_rule_docs.py \
    tests/test_ctl007.py::test_a_failure_points_at_what_it_is_about tests/test_fixtures.py"
fi
if [ "$what" = resolvers ] || [ "$what" = all ]; then
  run "linter/resolver/common.py,linter/resolver/cloudformation.py,linter/resolver/terraform.py,linter/checks.py" \
    "tests/test_shared_evaluation.py tests/test_cfn_evaluator.py tests/test_fixtures.py tests/test_deep_evaluation.py \
    tests/test_no_silent_pass.py tests/test_places.py"
fi
echo "the copy with the mutmut cache: $copy (remove it with: git -C $here worktree remove --force $copy)"
