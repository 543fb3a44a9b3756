# Regenerates the import fixtures (run once; the outputs are committed so tests need no LibreOffice):
#   python3 -m venv /tmp/v && /tmp/v/bin/pip install XlsxWriter && /tmp/v/bin/python make-fixtures.py
#   libreoffice --headless --convert-to xls employees-clean.xlsx && libreoffice --headless --convert-to ods employees-clean.xlsx
import xlsxwriter, datetime
wb = xlsxwriter.Workbook('employees-clean.xlsx')
ws = wb.add_worksheet('员工')
datef = wb.add_format({'num_format': 'yyyy-mm-dd'})
# Chinese headers in another order, plus an unknown column.
heads = ['姓名', '部门', '工号', '入职日期', '卡号', '备注', '职位']
for c, h in enumerate(heads):
    ws.write(0, c, h)
rows = [
    ('张三', '办公室', 1001, datetime.date(2020, 3, 1), '12345', '', '科员'),
    ('李四', '财务处', '1002', '2021/07/15', '', '新人', '会计'),
    ('王五', '办公室', 1003, '2022年1月5日', '7788', '', ''),
]
for r, row in enumerate(rows, start=1):
    for c, v in enumerate(row):
        if isinstance(v, datetime.date):
            ws.write_datetime(r, c, datetime.datetime(v.year, v.month, v.day), datef)
        else:
            ws.write(r, c, v)
wb.close()
csv = "工号,姓名,部门,职位,入职日期\n2001,赵六,办公室,司机,2019-05-06\n2002,钱七,财务处,出纳,2023/02/01\n"
open('employees-gbk.csv', 'wb').write(csv.encode('gbk'))
