#!/usr/bin/env bash
# Install checkov into its own virtualenv (bench/.checkov-venv) so that it
# never conflicts with the linter's dependencies.
#
# Usage: bash bench/setup_checkov.sh
#   PYTHON=python3.11   interpreter used to create the venv (default: python3.11,
#                       falling back to python3)
#   CHECKOV_VERSION=X   install exactly this version instead of picking one
#   FORCE=1             recreate the venv even if checkov is already installed
#
# Picks the newest 3.2.x release listed by `pip index versions checkov`;
# if no 3.2.x release is listed, the newest release available.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.checkov-venv"

if [[ -z "${PYTHON:-}" ]]; then
    if command -v python3.11 >/dev/null 2>&1; then
        PYTHON=python3.11
    else
        PYTHON=python3
    fi
fi

if [[ -x "$venv/bin/checkov" && -z "${FORCE:-}" ]]; then
    echo "checkov already installed in $venv:"
    "$venv/bin/checkov" --version
    exit 0
fi

rm -rf "$venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip

version="${CHECKOV_VERSION:-}"
if [[ -z "$version" ]]; then
    # "checkov (3.2.x)\nAvailable versions: 3.2.500, 3.2.499, ..." (newest first)
    listing="$("$venv/bin/python" -m pip index versions checkov 2>/dev/null || true)"
    versions="$(printf '%s\n' "$listing" | sed -n 's/^Available versions: //p' | tr ',' '\n' | tr -d ' ')"
    version="$(printf '%s\n' "$versions" | grep -E '^3\.2\.[0-9]+$' | head -n 1 || true)"
    if [[ -z "$version" ]]; then
        version="$(printf '%s\n' "$versions" | head -n 1)"
    fi
fi

if [[ -n "$version" ]]; then
    echo "installing checkov==$version into $venv"
    "$venv/bin/python" -m pip install --quiet "checkov==$version"
else
    echo "could not list checkov versions; installing 'checkov==3.2.*' into $venv"
    "$venv/bin/python" -m pip install --quiet "checkov==3.2.*" \
        || "$venv/bin/python" -m pip install --quiet checkov
fi

echo "installed:"
"$venv/bin/checkov" --version
