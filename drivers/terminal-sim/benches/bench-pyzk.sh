#!/usr/bin/env bash
# Benchmark: 100,000 attendance records over loopback from kaoqin-sim, read by our `kaoqin-zk log`
# and by pyzk 0.9 `get_attendance()`, in the same run, over TCP and UDP.
# Wall time: hyperfine (apt: hyperfine) if present, else a bash timing loop.
# Peak memory: /usr/bin/time -v (apt: time).
#
#   tests/setup-python-venv.sh && drivers/terminal-sim/benches/bench-pyzk.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
runs="${1:-5}"
py="${KAOQIN_PYTHON:-$root/.venv/bin/python}"
cd "$root"
cargo build --release -p kaoqin-sim -p kaoqin-zk --bins >&2
sim="$root/target/release/kaoqin-sim"
zk="$root/target/release/kaoqin-zk"
client="$root/tests/compat/pyzk_client.py"

out="$(mktemp)"
"$sim" --tcp 127.0.0.1:0 --udp 127.0.0.1:0 --employees 2500 --days 31 --start 2026-03-01 \
    --seed 7 --limit 100000 --att-format 40 >"$out" 2>/dev/null &
simpid=$!
trap 'kill $simpid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^ready' "$out" && break; sleep 0.1; done
tcp="$(awk '$1=="tcp"{print $2}' "$out")"
udp="$(awk '$1=="udp"{print $2}' "$out")"
tport="${tcp##*:}"; uport="${udp##*:}"
echo "kaoqin-sim: tcp $tcp udp $udp, 100000 records of 40 bytes" >&2

# Sanity: both clients really get 100000 records.
n_ours=$("$zk" log --tcp "$tcp" --format csv | wc -l)
n_py=$("$py" "$client" 127.0.0.1 "$tport" count)
echo "records: kaoqin-zk $n_ours, pyzk $n_py" >&2

cmds=(
  "$zk log --tcp $tcp --format csv"
  "$py $client 127.0.0.1 $tport count"
  "$zk log --udp $udp --format csv"
  "$py $client --udp 127.0.0.1 $uport count"
)
names=("kaoqin-zk log --tcp" "pyzk get_attendance() tcp" "kaoqin-zk log --udp" "pyzk get_attendance() udp")

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs "$runs" --style basic --output=null \
    -n "${names[0]}" "${cmds[0]}" -n "${names[1]}" "${cmds[1]}" \
    -n "${names[2]}" "${cmds[2]}" -n "${names[3]}" "${cmds[3]}"
else
  for i in "${!cmds[@]}"; do
    start=$(date +%s.%N)
    for _ in $(seq "$runs"); do ${cmds[$i]} >/dev/null; done
    end=$(date +%s.%N)
    echo "${names[$i]}: mean $(echo "($end - $start) / $runs" | bc -l | cut -c1-6) s over $runs runs"
  done
fi

echo "peak memory (maximum resident set size, /usr/bin/time -v):"
for i in "${!cmds[@]}"; do
  kb=$( { /usr/bin/time -v ${cmds[$i]} >/dev/null; } 2>&1 | awk -F: '/Maximum resident set size/{gsub(/ /,"",$2); print $2}')
  echo "  ${names[$i]}: ${kb} KB"
done
