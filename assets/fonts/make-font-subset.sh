#!/usr/bin/env bash
# Rebuilds assets/fonts/NotoSansSC-GB2312.otf, the CJK font bundled into the
# kaoqin binary (src/gui/fonts.rs loads it with include_bytes!).
#
# The subset holds: every character of GB2312 (all valid two-byte codes),
# printable ASCII and Latin-1, a few symbols the UI and reports use (√ × ○ …),
# and every character that appears in locales/**/*.yml, src/excel/locale.rs and
# src/domain/report.rs (report headings and symbols), so zh-TW labels render
# from the bundled font too. Rare name characters outside this set come from
# an installed system CJK font at run time.
#
# Needs: Debian `fonts-noto-cjk` (the source font) and PyPI `fonttools` (pyftsubset),
# installed into a throw-away venv. Run after adding strings to the locale files:
#
#   assets/fonts/make-font-subset.sh
#
# The test tests/gui_fonts.rs fails if a locale string has a character the bundled font lacks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src_font="${NOTO_CJK_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
venv="${KAOQIN_FONT_VENV:-/tmp/kaoqin-fontvenv}"
out="$root/assets/fonts/NotoSansSC-GB2312.otf"

if [ ! -f "$src_font" ]; then
    echo "missing $src_font: run 'apt-get install -y fonts-noto-cjk' first" >&2
    exit 1
fi
if [ ! -x "$venv/bin/pyftsubset" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --disable-pip-version-check --quiet "fonttools==4.*"
fi

chars="$(mktemp)"
trap 'rm -f "$chars"' EXIT

"$venv/bin/python" - "$root/locales" "$root/src/excel/locale.rs" "$root/src/domain/report.rs" >"$chars" <<'PY'
import pathlib, sys
out = set()
# GB2312: rows 0xA1..0xF7, cells 0xA1..0xFE; keep the codes that decode.
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            out.update(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
out.update(chr(c) for c in range(0x20, 0x7F))   # ASCII
out.update(chr(c) for c in range(0xA0, 0x100))  # Latin-1 (names, °, ×, ·)
out.update("√✓✔✗✘×○●◎◇◆□■△▲▽▼☆★→←↑↓↔⇒…—–‘’“”•·※€¥￥℃⚠、。，；：？！（）《》【】「」『』")
for yml in sorted(pathlib.Path(sys.argv[1]).rglob("*.yml")):
    out.update(ch for ch in yml.read_text(encoding="utf-8") if ch >= " ")
# Report headings and symbols the GUI shows come from the excel crate and the domain's report model.
for extra in sys.argv[2:]:
    p = pathlib.Path(extra)
    for f in ([p] if p.is_file() else sorted(p.rglob("*.rs"))):
        out.update(ch for ch in f.read_text(encoding="utf-8") if ch >= " ")
out.discard("\n")
sys.stdout.write("".join(sorted(out)))
PY

"$venv/bin/pyftsubset" "$src_font" --font-number=2 --text-file="$chars" \
    --no-hinting --layout-features='' --output-file="$out"
echo "wrote $out ($(stat -c %s "$out") bytes, $(wc -m <"$chars") characters requested)"
