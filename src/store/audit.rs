//! The audit log: a SHA-256 hash chain, appended in the caller's transaction together with the act it
//! records (invariant 2), verified by walking the chain.
//!
//! Canonical encoding (version 1). `hash = hex(SHA-256(b"kaoqin-audit-v1\n" || F(seq) || F(at) || F(actor)
//! || F(role) || F(action) || F(target) || F(details) || F(prev_hash)))` where `F(x)` is the UTF-8 bytes of
//! `x` prefixed by their length as a 4-byte big-endian integer; `seq` is decimal, `at` is
//! `YYYY-MM-DD HH:MM:SS.mmm`, `role` is "" when none, `details` is canonical JSON (object keys sorted
//! by their bytes, no whitespace, serde_json's number and string forms) and `prev_hash` is the previous
//! entry's hash in lower-case hex, or 64 zeros for the first entry. Length prefixes make field
//! boundaries unambiguous. The stored `details` text is exactly the canonical JSON that was hashed.
//!
//! What the chain proves: any edit, reordering, deletion or insertion *inside* the chain breaks it at
//! the first affected entry. It cannot by itself reveal truncation of the newest entries or a whole
//! re-computed chain (the algorithm is public); [`head`] gives the auditor a value to note down and
//! compare later. Triggers also reject UPDATE/DELETE, so tampering needs a deliberate `DROP TRIGGER`.
//!
//! Details must never hold secrets: [`check_details`] refuses keys that look like one.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params, types::Value};
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::role::Role;
use crate::timefmt;

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append. `at` is the PC's local time, passed in by the caller.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub at: NaiveDateTime,
    /// User name, or e.g. "system"; for a failed log-in, the name that was tried.
    pub actor: String,
    /// None when the actor has no role (e.g. unknown user at log-in).
    pub role: Option<Role>,
    /// A stable token such as "login.ok", "user.add", "download", "backup".
    pub action: String,
    /// What it acted on: a user, terminal, file, ... ("" if nothing).
    pub target: String,
    /// A JSON value with no secrets (checked by [`check_details`]).
    pub details: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    /// As stored ("" = none); not parsed, so a damaged row can still be listed.
    pub role: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// Listing filter (all ANDed). `since` is inclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub since: Option<NaiveDateTime>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

/// Why the chain breaks at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BreakReason {
    /// Sequence numbers are not 1, 2, 3, …: an entry was deleted or inserted.
    SeqGap,
    /// `prev_hash` is not the previous entry's hash: an entry before it was removed, inserted or reordered.
    PrevHashMismatch,
    /// The stored hash does not match the entry's content: the entry was edited.
    ContentChanged,
}

impl BreakReason {
    /// A short explanation for the clerk.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SeqGap => "sequence numbers skip or repeat: an entry was deleted or inserted",
            Self::PrevHashMismatch => {
                "the link to the previous entry is wrong: entries were removed, inserted or reordered"
            }
            Self::ContentChanged => "the entry's content does not match its hash: it was edited",
        }
    }
}

/// The first broken link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Break {
    /// Sequence number of the first entry that does not verify.
    pub seq: i64,
    pub expected: String,
    pub found: String,
    pub reason: BreakReason,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {}: {} (expected {}, found {})",
            self.seq,
            self.reason.describe(),
            self.expected,
            self.found
        )
    }
}

/// Result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Entries examined (all of them when intact; up to and including the break otherwise).
    pub entries_checked: u64,
    pub first_break: Option<Break>,
    /// Hash of the last entry checked (the chain head when intact).
    pub head_hash: String,
}

impl VerifyReport {
    /// True when no link is broken.
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Refuses details that carry a key named like a secret (password, passwd, pwd, secret, key, token, pin,
/// comm_key, …; `public_key` is allowed), at any depth.
pub fn check_details(details: &serde_json::Value) -> Result<()> {
    match details {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if looks_secret(k) {
                    return Err(StoreError::SecretInAuditDetails { key: k.clone() });
                }
                check_details(v)?;
            }
            Ok(())
        }
        serde_json::Value::Array(a) => a.iter().try_for_each(check_details),
        _ => Ok(()),
    }
}

fn looks_secret(key: &str) -> bool {
    let k = key.to_lowercase();
    if k.contains("public") {
        return false;
    }
    if [
        "password", "passwd", "secret", "token", "commkey", "private",
    ]
    .iter()
    .any(|w| k.contains(w))
    {
        return true;
    }
    // Split snake/kebab/camel case into words and look for whole words.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else if c.is_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
            cur.extend(c.to_lowercase());
        } else {
            cur.extend(c.to_lowercase());
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .iter()
        .any(|w| matches!(w.as_str(), "key" | "pwd" | "pin" | "pass"))
}

/// Canonical JSON: sorted keys, no whitespace.
pub fn canonical_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(x) = m.get(k) {
                    write_canonical(x, out);
                }
            }
            out.push('}');
        }
        serde_json::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The entry hash over already-encoded fields (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    role: &str,
    action: &str,
    target: &str,
    details_json: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"kaoqin-audit-v1\n");
    let seq = seq.to_string();
    for f in [
        seq.as_str(),
        at,
        actor,
        role,
        action,
        target,
        details_json,
        prev_hash,
    ] {
        let len = u32::try_from(f.len()).unwrap_or(u32::MAX);
        h.update(len.to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The newest entry's (seq, hash), or None for an empty log. An auditor can note it to detect truncation.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Appends an entry (seq = last + 1, chained to the last hash). Call it on the transaction that carries
/// the effect, so both commit or neither.
pub fn append(conn: &Connection, e: NewEntry) -> Result<AuditEntry> {
    check_details(&e.details)?;
    let (last_seq, prev_hash) = head(conn)?.unwrap_or((0, GENESIS_HASH.to_string()));
    let seq = last_seq + 1;
    let at = timefmt::event_ts(e.at);
    let role = e.role.map(Role::as_str).unwrap_or("");
    let details = canonical_json(&e.details);
    let hash = entry_hash(
        seq, &at, &e.actor, role, &e.action, &e.target, &details, &prev_hash,
    );
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            at,
            e.actor,
            e.role.map(Role::as_str),
            e.action,
            e.target,
            details,
            prev_hash,
            hash
        ],
    )?;
    Ok(AuditEntry {
        seq,
        at: timefmt::parse_event_ts(&at)?,
        actor: e.actor,
        role: role.to_string(),
        action: e.action,
        target: e.target,
        details: e.details,
        prev_hash,
        hash,
    })
}

struct RawEntry {
    seq: i64,
    at: String,
    actor: String,
    role: String,
    action: String,
    target: String,
    details: String,
    prev_hash: String,
    hash: String,
}

const SELECT: &str = "SELECT seq, at, actor, coalesce(role, ''), action, target, details, prev_hash, hash FROM audit_log";

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        role: r.get(3)?,
        action: r.get(4)?,
        target: r.get(5)?,
        details: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// Walks the whole chain in seq order and reports the first broken link.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut checked = 0u64;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS_HASH.to_string();
    while let Some(r) = rows.next()? {
        let e = raw(r)?;
        checked += 1;
        let brk = |expected: String, found: String, reason| VerifyReport {
            entries_checked: checked,
            first_break: Some(Break {
                seq: e.seq,
                expected,
                found,
                reason,
            }),
            head_hash: prev.clone(),
        };
        if e.seq != expected_seq {
            return Ok(brk(
                format!("seq {expected_seq}"),
                format!("seq {}", e.seq),
                BreakReason::SeqGap,
            ));
        }
        if e.prev_hash != prev {
            return Ok(brk(
                prev.clone(),
                e.prev_hash.clone(),
                BreakReason::PrevHashMismatch,
            ));
        }
        let h = entry_hash(
            e.seq,
            &e.at,
            &e.actor,
            &e.role,
            &e.action,
            &e.target,
            &e.details,
            &e.prev_hash,
        );
        if h != e.hash {
            return Ok(brk(h, e.hash.clone(), BreakReason::ContentChanged));
        }
        prev = e.hash;
        expected_seq += 1;
    }
    Ok(VerifyReport {
        entries_checked: checked,
        first_break: None,
        head_hash: prev,
    })
}

/// Entries matching `f`, in seq order.
pub fn list(conn: &Connection, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut sql = format!("{SELECT} WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(t) = f.since {
        args.push(Value::Text(timefmt::event_ts(t)));
        sql.push_str(&format!(" AND at >= ?{}", args.len()));
    }
    if let Some(a) = &f.actor {
        args.push(Value::Text(a.clone()));
        sql.push_str(&format!(" AND actor = ?{}", args.len()));
    }
    if let Some(a) = &f.action {
        args.push(Value::Text(a.clone()));
        sql.push_str(&format!(" AND action = ?{}", args.len()));
    }
    sql.push_str(" ORDER BY seq");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), raw)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|e| {
            Ok(AuditEntry {
                seq: e.seq,
                at: timefmt::parse_event_ts(&e.at)?,
                actor: e.actor,
                role: e.role,
                action: e.action,
                target: e.target,
                details: serde_json::from_str(&e.details)
                    .unwrap_or(serde_json::Value::String(e.details)),
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_like_keys_are_refused_at_any_depth() {
        for k in [
            "password",
            "new_password",
            "commKey",
            "comm_key",
            "key",
            "api-key",
            "token",
            "Secret",
            "pwd",
        ] {
            assert!(
                check_details(&json!({ k: "x" })).is_err(),
                "{k} should be refused"
            );
            assert!(
                check_details(&json!({"a": [{ k: 1 }]})).is_err(),
                "nested {k} should be refused"
            );
        }
        for k in [
            "public_key",
            "keyboard",
            "monkey",
            "terminal",
            "changed",
            "fields",
        ] {
            assert!(
                check_details(&json!({ k: "x" })).is_ok(),
                "{k} should be allowed"
            );
        }
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{ "b": 1, "a": {"d": [1, 2], "c": "中"} }"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":{"c":"中","d":[1,2]},"b":1}"#);
    }

    #[test]
    fn length_prefix_separates_fields() {
        let a = entry_hash(1, "t", "ab", "c", "x", "", "{}", GENESIS_HASH);
        let b = entry_hash(1, "t", "a", "bc", "x", "", "{}", GENESIS_HASH);
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }
}
