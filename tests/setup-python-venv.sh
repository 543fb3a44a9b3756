#!/usr/bin/env bash
# Creates the Python venv used by the pyzk interoperability tests and benchmark
# (drivers/terminal-sim/tests, drivers/terminal-sim/benches/bench-pyzk.sh). Idempotent: re-running
# only installs pyzk if it is missing or at the wrong version.
#
#   tests/setup-python-venv.sh            # -> <workspace>/.venv
#   KAOQIN_VENV=/some/dir tests/setup-python-venv.sh
#
# The tests then use $KAOQIN_PYTHON, or <workspace>/.venv/bin/python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${KAOQIN_VENV:-$root/.venv}"
pyzk_version="0.9"

py="$venv/bin/python"
[ -x "$py" ] || [ ! -x "$venv/Scripts/python.exe" ] || py="$venv/Scripts/python.exe"   # Windows venv layout
if [ ! -x "$py" ]; then
    "$(command -v python3 || command -v python)" -m venv "$venv"
    [ -x "$venv/bin/python" ] && py="$venv/bin/python" || py="$venv/Scripts/python.exe"
fi
if "$py" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('pyzk') == '$pyzk_version' else 1)" 2>/dev/null; then
    echo "pyzk $pyzk_version already installed in $venv"
else
    "$py" -m pip install --disable-pip-version-check --quiet "pyzk==$pyzk_version"
    echo "installed pyzk $pyzk_version into $venv"
fi
echo "python: $py"
