//! The sync settings (connection rules, check thresholds) as stored in the settings table, and
//! the supervisor-only, audited way to change them.
//!
//! Values are JSON under [`RULES_KEY`] and [`CHECKS_KEY`]; missing keys or fields take the
//! defaults of docs/domain.md §2. Must not decide anything about a particular connection (`policy.rs`).

use chrono::NaiveDateTime;
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::{Store, audit, settings};
use serde_json::json;

use crate::checks::CheckSettings;
use crate::error::SyncError;
use crate::grant::{ChangeRules, Grant};
use crate::policy::ConnectionRules;
use crate::session::Actor;

pub const RULES_KEY: &str = "sync.connection_rules";
pub const CHECKS_KEY: &str = "sync.checks";

/// Everything the sync layer reads from settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSettings {
    pub rules: ConnectionRules,
    pub checks: CheckSettings,
}

fn parse<T: serde::de::DeserializeOwned + Default>(
    key: &str,
    raw: Option<String>,
) -> Result<T, SyncError> {
    match raw {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            SyncError::Invalid(format!(
                "the setting {key} is not valid ({e}); a supervisor must set it again"
            ))
        }),
    }
}

/// Reads the settings (defaults where unset), with the schedule book when the rules follow the
/// shifts in use.
pub fn load(conn: &Connection) -> Result<SyncSettings, SyncError> {
    let mut rules: ConnectionRules = parse(RULES_KEY, settings::get(conn, RULES_KEY)?)?;
    if rules.follow_schedules {
        rules.schedule = Some(std::sync::Arc::new(kaoqin_store::schedules::load_book(
            conn,
        )?));
    }
    Ok(SyncSettings {
        rules,
        checks: parse(CHECKS_KEY, settings::get(conn, CHECKS_KEY)?)?,
    })
}

fn validate_rules(r: &ConnectionRules) -> Result<(), SyncError> {
    if r.time_limit_secs == 0 {
        return Err(SyncError::Invalid(
            "the time limit must be at least 1 second".into(),
        ));
    }
    if r.margin_before_sign_in_min >= 24 * 60 || r.margin_after_sign_out_min >= 24 * 60 {
        return Err(SyncError::Invalid(
            "a peak margin must be shorter than a day".into(),
        ));
    }
    Ok(())
}

/// Sets the connection rules (as granted by the application), with the audit entry in the same
/// transaction.
pub fn set_rules(
    store: &mut Store,
    grant: &dyn Grant<ChangeRules>,
    rules: &ConnectionRules,
    at: NaiveDateTime,
) -> Result<(), SyncError> {
    validate_rules(rules)?;
    set_json(store, grant.actor(), RULES_KEY, json!(rules), at)
}

/// Sets the check thresholds and credential policy (as granted by the application), audited.
pub fn set_checks(
    store: &mut Store,
    grant: &dyn Grant<ChangeRules>,
    checks: &CheckSettings,
    at: NaiveDateTime,
) -> Result<(), SyncError> {
    set_json(store, grant.actor(), CHECKS_KEY, json!(checks), at)
}

fn set_json(
    store: &mut Store,
    actor: &Actor,
    key: &str,
    value: serde_json::Value,
    at: NaiveDateTime,
) -> Result<(), SyncError> {
    let tx = store.transaction()?;
    let old = settings::set(&tx, key, &value.to_string())?;
    let old_json = old
        .as_deref()
        .and_then(|o| serde_json::from_str::<serde_json::Value>(o).ok());
    audit::append(
        &tx,
        audit::NewEntry {
            at,
            actor: actor.name.clone(),
            role: Some(actor.role),
            action: "settings.change".into(),
            target: key.into(),
            details: json!({ "old": old_json, "new": value }),
        },
    )?;
    tx.commit()?;
    Ok(())
}
