#!/bin/sh
# Same-run comparison: kaoqin-excel vs Python XlsxWriter writing the same 月度考勤表 (10,000 employees).
# Needs: apt `time`; a venv with XlsxWriter (PY, default /tmp/xlsxvenv/bin/python).
set -eu
PY=${PY:-/tmp/xlsxvenv/bin/python}
HERE=$(cd "$(dirname "$0")" && pwd)
N=${N:-10000}
cargo bench -p kaoqin-excel --bench month_sheet --no-run
BIN=$(ls -t target/release/deps/month_sheet-* | grep -v '\.d$' | head -1)
echo "== rust (kaoqin-excel)"
/usr/bin/time -f "process: %e s wall, max RSS %M KB" "$BIN" --employees "$N" --out /tmp/kaoqin-bench.xlsx --dump /tmp/kaoqin-bench.json
echo "== rust again without the JSON dump (peak memory of export alone + domain data)"
/usr/bin/time -f "process: %e s wall, max RSS %M KB" "$BIN" --employees "$N" --out /tmp/kaoqin-bench.xlsx
echo "== python XlsxWriter $("$PY" -c 'import xlsxwriter; print(xlsxwriter.__version__)')"
/usr/bin/time -f "process: %e s wall, max RSS %M KB" "$PY" "$HERE/xlsxwriter_peer.py" /tmp/kaoqin-bench.json /tmp/kaoqin-bench-py.xlsx
