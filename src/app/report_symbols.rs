//! The report symbols (√ 迟 旷 …; docs/domain.md §6: "configurable by the administrator"): the domain's
//! defaults and each leave type's own symbol, with the administrator's changes kept as one settings
//! document. The exports, the GUI's grid and its legend all read the set from here.
//!
//! Checks and stores only; must not render a sheet or decide what a day counts as.

use std::collections::BTreeMap;

use kaoqin_domain::report::SymbolSet;
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::settings;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::requests::leave_types;
use super::session::Session;

/// Settings key of the administrator's changes: name → symbol, where a name is one of
/// [`SymbolSet::FIXED`] or `leave:CODE` for a leave type.
pub const SYMBOLS_KEY: &str = "report.symbols";

/// Name → symbol, as stored and as the CLI and the GUI hand them in.
pub type SymbolChanges = BTreeMap<String, String>;

fn invalid(reason: impl ToString) -> AppError {
    AppError::Invalid {
        field: "report symbols",
        reason: reason.to_string(),
    }
}

fn stored(conn: &Connection) -> AppResult<SymbolChanges> {
    match settings::get(conn, SYMBOLS_KEY)? {
        None => Ok(SymbolChanges::new()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            invalid(format!(
                "the stored symbols are unreadable ({e}); an administrator can reset them with \
                 `kaoqin report symbols --reset`"
            ))
        }),
    }
}

/// Puts `value` into `set` under `name`; `false` for a name the set does not have.
fn put(set: &mut SymbolSet, name: &str, value: &str) -> bool {
    match name.strip_prefix("leave:") {
        Some(code) => match set.leave.get_mut(code) {
            Some(slot) => {
                *slot = value.trim().to_string();
                true
            }
            None => false,
        },
        None => set.set_fixed(name, value),
    }
}

/// The symbols without the administrator's changes.
fn defaults(conn: &Connection) -> AppResult<SymbolSet> {
    Ok(SymbolSet::with_leave_types(&leave_types(conn)?))
}

/// The symbols the sheets use now. A stored change for a leave type that no longer exists is
/// skipped rather than failing every report.
pub fn report_symbols(conn: &Connection) -> AppResult<SymbolSet> {
    let mut set = defaults(conn)?;
    for (name, value) in stored(conn)? {
        put(&mut set, &name, &value);
    }
    Ok(set)
}

/// Every symbol's name and value in display order: the fixed ones, then `leave:CODE`.
pub fn named(set: &SymbolSet) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = SymbolSet::FIXED
        .iter()
        .map(|n| (n.to_string(), set.fixed(n).unwrap_or_default().to_string()))
        .collect();
    out.extend(
        set.leave
            .iter()
            .map(|(c, s)| (format!("leave:{c}"), s.clone())),
    );
    out
}

impl Session {
    /// The symbols the sheets use (anyone who may view reports).
    pub fn report_symbols(&self) -> AppResult<SymbolSet> {
        self.require(Action::ViewReports, "report symbols")?;
        report_symbols(self.conn())
    }

    /// Changes some symbols (administrator). The whole resulting set must still be readable
    /// ([`SymbolSet::check`]); nothing is stored otherwise. Returns the new set.
    pub fn set_report_symbols(&mut self, changes: &SymbolChanges) -> AppResult<SymbolSet> {
        self.require(Action::ConfigureReports, "report symbols")?;
        if changes.is_empty() {
            return Err(invalid(
                "no symbol given; name one, e.g. late=迟 (see `kaoqin report symbols`)",
            ));
        }
        let base = defaults(self.conn())?;
        let before = report_symbols(self.conn())?;
        let mut after = before.clone();
        for (name, value) in changes {
            if !put(&mut after, name, value) {
                let known: Vec<String> = named(&base).into_iter().map(|(n, _)| n).collect();
                return Err(invalid(format!(
                    "there is no symbol '{name}'; the names are {}",
                    known.join(", ")
                )));
            }
        }
        after.check().map_err(invalid)?;
        // Keep only what differs from the defaults, so a later change of a leave type's own
        // symbol still shows where the administrator did not override it.
        let mut keep = SymbolChanges::new();
        let old: BTreeMap<String, String> = named(&before).into_iter().collect();
        let default: BTreeMap<String, String> = named(&base).into_iter().collect();
        let mut changed = serde_json::Map::new();
        for (name, value) in named(&after) {
            if default.get(&name) != Some(&value) {
                keep.insert(name.clone(), value.clone());
            }
            if old.get(&name) != Some(&value) {
                changed.insert(name.clone(), json!({ "from": old.get(&name), "to": value }));
            }
        }
        let doc = serde_json::to_string(&keep).map_err(invalid)?;
        self.act(
            Action::ConfigureReports,
            "report.symbols.set",
            "report symbols",
            |tx| {
                settings::set(tx, SYMBOLS_KEY, &doc)?;
                Ok(((), json!({ "changed": changed })))
            },
        )?;
        Ok(after)
    }

    /// Back to the defaults (administrator).
    pub fn reset_report_symbols(&mut self) -> AppResult<SymbolSet> {
        self.require(Action::ConfigureReports, "report symbols")?;
        self.act(
            Action::ConfigureReports,
            "report.symbols.reset",
            "report symbols",
            |tx| {
                let old = settings::remove(tx, SYMBOLS_KEY)?;
                Ok(((), json!({ "had_changes": old.is_some() })))
            },
        )?;
        report_symbols(self.conn())
    }
}
