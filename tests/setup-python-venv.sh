#!/usr/bin/env bash
# Creates (idempotently) the Python venv that holds pyzk 0.9, the independent public ZK client the
# interoperability tests run against our simulator. Location: $KAOQIN_VENV or <repo>/.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KAOQIN_VENV:-$PWD/.venv}"
if ! "$venv/bin/python" -c 'import zk' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pyzk==0.9"
fi
"$venv/bin/python" -c 'import zk, sys; print("pyzk ready in", sys.prefix)'
