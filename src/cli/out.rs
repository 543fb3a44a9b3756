//! Every byte the CLI writes to stdout goes through here, so that
//!
//! - a closed pipe (`kaoqin audit log | head -1`) comes back as an `std::io::Error` of kind
//!   `BrokenPipe` instead of the panic `println!` gives; `run::main_entry` then exits quietly with
//!   code 0, as ripgrep does (the reader chose to stop reading; nothing failed);
//! - a message line ([`outln!`]) shows control characters and bidi overrides visibly
//!   ([`super::table::visible`]), so a name stored in the database cannot forge a line or recolour
//!   the terminal. Pre-rendered text (a table from `table::render`, a CSV document, pretty JSON) is
//!   written as it is by [`out_raw!`]: the table escapes its own cells, CSV quotes its own fields.
//!
//! The macros contain the `?`: they are used in functions returning `anyhow::Result`.
//!
//! Messages for stderr (errors, warnings, reminders) go through [`errln!`], which never fails and
//! never panics: `eprintln!` panics when stderr is a pipe nobody reads any more
//! (`kaoqin … 2>&1 | head -1`), which would turn a refused password (exit 4) into a crash
//! (exit 101). A message nobody can read is dropped; the exit code still tells.

use std::io::Write;

/// Writes `text` to stdout as it is.
pub fn raw(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes one line: `text` with control characters made visible, then a newline.
pub fn line(text: &str) -> std::io::Result<()> {
    let mut s = super::table::visible(text).into_owned();
    s.push('\n');
    raw(&s)
}

/// Writes `text` and a newline to stderr, ignoring a closed or failing stderr.
pub fn err_line(text: &str) {
    let mut err = std::io::stderr().lock();
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push('\n');
    let _ = err.write_all(s.as_bytes()).and_then(|()| err.flush());
}

/// `println!` that escapes control characters and returns (through `?`) a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::line(&format!($($arg)*))?
    };
}

/// `print!` of pre-rendered text (tables, CSV, JSON) that returns (through `?`) a closed pipe.
macro_rules! out_raw {
    ($($arg:tt)*) => {
        $crate::cli::out::raw(&format!($($arg)*))?
    };
}

/// `eprintln!` that never panics: a closed stderr drops the message ([`err_line`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::err_line(&format!($($arg)*))
    };
}

pub(crate) use {errln, out_raw, outln};
