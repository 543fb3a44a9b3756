//! Listings for people (aligned columns, CJK characters counted as two cells) and for scripts
//! (CSV). Pure string building: the caller prints.

use super::args::Format;

/// Display width in terminal cells: East Asian wide and fullwidth characters take two.
pub fn cell_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    if c.is_control() || (0x300..=0x36F).contains(&u) || u == 0x200B {
        return 0;
    }
    let wide = matches!(u,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Shows control characters and bidi controls visibly, so text from the database (a name, an
/// audit target) cannot start a new line, move the cursor, recolour the terminal (ESC) or reorder
/// what follows (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C): `\n`, `\r`,
/// `\t` as those two characters, every other C0/C1 control, DEL and bidi control as `\u{..}`.
/// A backslash already in the text is left alone (it cannot move anything).
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    fn hidden(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
    }
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Renders `rows` under `headers` in the chosen format (table cells through [`visible`]; CSV
/// keeps the data as it is, quoted by the csv writer, with formula-leading cells neutralised).
pub fn render(
    format: Format,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<String, csv::Error> {
    match format {
        Format::Table => Ok(aligned(headers, rows)),
        Format::Csv => to_csv(headers, rows),
    }
}

fn aligned(headers: &[&str], rows: &[Vec<String>]) -> String {
    let headers: Vec<String> = headers.iter().map(|h| visible(h).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| cell_width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell_width(cell));
            }
        }
    }
    let mut out = String::new();
    let push_line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut line = String::new();
        for (i, cell) in cells.enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', w.saturating_sub(cell_width(cell))));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_line(&mut out, &mut headers.iter().map(String::as_str));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    push_line(&mut out, &mut rule.iter().map(String::as_str));
    for row in &rows {
        push_line(&mut out, &mut row.iter().map(String::as_str));
    }
    if rows.is_empty() {
        out.push_str("(none)\n");
    }
    out
}

fn to_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers)?;
    for row in rows {
        // The listings only have strings: plain numbers stay numbers, any other cell that a
        // spreadsheet would read as a formula gets a leading `'` (kaoqin_domain::csv_safe).
        w.write_record(
            row.iter()
                .map(|c| kaoqin_domain::csv_safe::cell(c).into_owned()),
        )?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_as_two() {
        for (s, w) in [("abc", 3), ("张三", 4), ("办公室A", 7), ("", 0), ("（", 2)] {
            assert_eq!(cell_width(s), w, "{s}");
        }
    }

    #[test]
    fn table_columns_line_up_with_chinese_names() {
        let rows = vec![
            vec!["1001".to_string(), "张三".to_string(), "办公室".to_string()],
            vec!["7".to_string(), "Li".to_string(), "x".to_string()],
        ];
        let out = render(Format::Table, &["工号", "姓名", "部门"], &rows).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            vec![
                "工号  姓名  部门",
                "----  ----  ------",
                "1001  张三  办公室",
                "7     Li    x"
            ]
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let rows = vec![vec!["a,b".to_string(), "张三".to_string()]];
        let out = render(Format::Csv, &["x", "y"], &rows).unwrap();
        assert_eq!(out, "x,y\n\"a,b\",张三\n");
    }

    #[test]
    fn table_cells_show_control_characters() {
        let rows = vec![vec![
            "x\n2026-01-01 forged line".to_string(),
            "\u{1b}[31mred\t\u{202e}evil\u{85}".to_string(),
        ]];
        let out = render(Format::Table, &["a", "b"], &rows).unwrap();
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(out.contains("x\\n2026-01-01 forged line"), "{out}");
        assert!(
            out.contains("\\u{1b}[31mred\\t\\u{202e}evil\\u{85}"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn csv_neutralises_formulas_but_keeps_numbers() {
        let rows = vec![vec![
            "=HYPERLINK(\"x\")".to_string(),
            "-5".to_string(),
            "@a".to_string(),
        ]];
        let out = render(Format::Csv, &["n", "m", "o"], &rows).unwrap();
        assert_eq!(out, "n,m,o\n\"'=HYPERLINK(\"\"x\"\")\",-5,'@a\n");
    }

    #[test]
    fn empty_table_says_none() {
        let out = render(Format::Table, &["a"], &[]).unwrap();
        assert!(out.ends_with("(none)\n"));
    }
}
