"""Peer benchmark: Python XlsxWriter writes the same 月度考勤表 cells and formats as kaoqin-excel,
from the JSON the Rust bench dumps (`--dump FILE`). Loading the JSON is not timed.

Run: python xlsxwriter_peer.py /tmp/m.json /tmp/m-py.xlsx
"""
import json
import resource
import sys
import time

import xlsxwriter

doc = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]

t0 = time.perf_counter()
wb = xlsxwriter.Workbook(out)
ws = wb.add_worksheet(doc["sheet"])
base = {"font_name": "SimSun", "font_size": 9, "border": 1, "align": "center", "valign": "vcenter"}
F = lambda **kw: wb.add_format({**base, **kw})
title = wb.add_format({"font_name": "SimHei", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"})
subtitle = wb.add_format({"font_size": 10, "align": "left"})
head = F(bold=True, text_wrap=True, bg_color="#F2F2F2")
head_off = F(bold=True, text_wrap=True, bg_color="#E7E6E6")
text = F()
classes = {
    "normal": F(shrink=True),
    "exception": F(shrink=True, bg_color="#FFC7CE", font_color="#9C0006"),
    "leave": F(shrink=True, bg_color="#FFF2CC"),
    "official": F(shrink=True, bg_color="#DDEBF7"),
    "off": F(shrink=True, bg_color="#E7E6E6"),
    "not_employed": F(shrink=True, font_color="#808080"),
}
nums = {"int": F(num_format="0"), "num": F(num_format="0.##"), "pct": F(num_format="0.0%")}
tot = {"int": F(bold=True, num_format="0"), "num": F(bold=True, num_format="0.##"), "pct": F(bold=True, num_format="0.0%"), "text": F(bold=True)}
legend = wb.add_format({"font_size": 9, "text_wrap": True, "align": "left", "valign": "top"})
footer = wb.add_format({"font_size": 10, "align": "left"})

days, heads = doc["days"], doc["heads"]
first_sum = 4 + len(days)
sign = first_sum + len(heads)
ws.merge_range(0, 0, 0, sign, doc["title"], title)
ws.set_row(0, 28)
ws.merge_range(1, 0, 1, sign, doc["subtitle"], subtitle)
for c, h in enumerate(["序号", "工号", "姓名", "部门"]):
    ws.merge_range(2, c, 3, c, h, head)
for i, d in enumerate(days):
    f = head_off if d["off"] else head
    ws.write_number(2, 4 + i, d["day"], f)
    ws.write_string(3, 4 + i, d["weekday"], f)
for i, h in enumerate(heads):
    ws.merge_range(2, first_sum + i, 3, first_sum + i, h, head)
ws.merge_range(2, sign, 3, sign, "员工签字", head)
ws.set_row(2, 52)
ws.set_row(3, 14)
ws.set_column(0, 0, 4)
ws.set_column(1, 1, 8)
ws.set_column(2, 2, 7)
ws.set_column(3, 3, 8)
ws.set_column(4, first_sum - 1, 3.6)
ws.set_column(first_sum, sign - 1, 4.6)
ws.set_column(sign, sign, 8)

row = 4
for r in doc["rows"]:
    ws.write_number(row, 0, r["seq"], nums["int"])
    ws.write_string(row, 1, r["no"], text)
    ws.write_string(row, 2, r["name"], text)
    ws.write_string(row, 3, r["dept"], text)
    for i, (s, cls) in enumerate(r["cells"]):
        if s:
            ws.write_string(row, 4 + i, s, classes[cls])
        else:
            ws.write_blank(row, 4 + i, None, classes[cls])
    for i, (kind, v) in enumerate(r["sums"]):
        ws.write_number(row, first_sum + i, v, nums[kind])
    ws.write_blank(row, sign, None, text)
    row += 1
ws.merge_range(row, 0, row, first_sum - 1, "合计（人数 %d）" % len(doc["rows"]), tot["text"])
for i, (kind, v) in enumerate(doc["total"]):
    ws.write_number(row, first_sum + i, v, tot[kind])
ws.write_blank(row, sign, None, tot["text"])
row += 2
ws.merge_range(row, 0, row, sign, doc["legend"], legend)
ws.set_row(row, 30)
row += 2
third = (sign + 1) // 3
ws.merge_range(row, 0, row, third - 1, "制表人：________________", footer)
ws.merge_range(row, third, row, 2 * third - 1, "审核人：________________", footer)
ws.merge_range(row, 2 * third, row, sign, "日期：________________", footer)
ws.freeze_panes(4, 4)
ws.set_landscape()
ws.set_paper(9)
ws.fit_to_pages(1, 0)
ws.repeat_rows(0, 3)
ws.set_margins(0.3, 0.3, 0.5, 0.5)
ws.center_horizontally()
ws.set_footer("&C第 &P 页，共 &N 页")
wb.close()
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"python XlsxWriter month sheet (build + save {out}): {elapsed:.3f} s; peak RSS {peak:.0f} MB (incl. JSON load)")
