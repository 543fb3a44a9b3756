//! The snapshot file: one zip holding the parts (`device.json`, `clock.json`, `users.csv`,
//! `attlog.csv`), `manifest.json` (SHA-256 of each part and of the whole = SHA-256 over the
//! parts' names and hashes in order) and `manifest.sig` (hex ed25519 signature of the manifest
//! bytes by the auditor's key, whose public half the manifest names).
//!
//! Parts are stored uncompressed so an auditor can open them with any zip tool. Must not touch the
//! database or the network; reading never panics on a damaged file, it reports what is wrong.

use std::io::{Read, Write};
use std::path::Path;

use chrono::NaiveDateTime;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::SyncError;

pub const FORMAT: &str = "kaoqin-snapshot-1";
const PARTS: [&str; 4] = ["device.json", "clock.json", "users.csv", "attlog.csv"];
const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;

/// Device identity as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub terminal_name: String,
    pub serial_number: Option<String>,
    pub firmware_version: String,
    pub platform: Option<String>,
    pub device_name: Option<String>,
    pub peer: String,
}

/// The terminal's clock and the PC's at the same moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInfo {
    pub terminal: NaiveDateTime,
    pub pc: NaiveDateTime,
}

impl ClockInfo {
    /// Terminal minus PC, seconds.
    pub fn skew_secs(&self) -> i64 {
        (self.terminal - self.pc).num_seconds()
    }
}

/// A terminal user without templates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserRow {
    pub enrollment_no: String,
    pub name: String,
    pub privilege: u8,
    pub has_password: bool,
    pub card: u32,
}

/// One log record, in the terminal's log order (`position` from 0).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PunchRow {
    pub position: u64,
    pub enrollment_no: String,
    #[serde(with = "ts_format")]
    pub timestamp: NaiveDateTime,
    pub verify: u8,
    pub state: u8,
    pub workcode: u32,
}

mod ts_format {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};
    const F: &str = "%Y-%m-%d %H:%M:%S";
    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format(F).to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDateTime::parse_from_str(&text, F).map_err(serde::de::Error::custom)
    }
}

/// Everything a snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotData {
    pub device: DeviceInfo,
    pub clock: ClockInfo,
    pub users: Vec<UserRow>,
    pub log: Vec<PunchRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartHash {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub terminal_name: String,
    pub taken_by: String,
    pub taken_at: NaiveDateTime,
    pub parts: Vec<PartHash>,
    /// SHA-256 over "name:sha256\n" of every part in order.
    pub whole_sha256: String,
    /// Hex ed25519 public key of the signer.
    pub public_key: String,
    /// The Kaoqin database's audit head when the snapshot was taken: an anchor kept outside the
    /// database, signed with the rest (absent in snapshots taken before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<kaoqin_store::evidence::Anchor>,
}

/// What `take` stored and `verify` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub manifest: Manifest,
    pub signature: String,
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn whole(parts: &[PartHash]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(format!("{}:{}\n", p.name, p.sha256).as_bytes());
    }
    hex::encode(h.finalize())
}

fn invalid(m: impl Into<String>) -> SyncError {
    SyncError::Invalid(m.into())
}

fn csv_bytes<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, SyncError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| invalid(format!("cannot write csv: {e}")))?;
    }
    w.into_inner()
        .map_err(|e| invalid(format!("cannot write csv: {e}")))
}

fn parse_csv<T: serde::de::DeserializeOwned>(name: &str, b: &[u8]) -> Result<Vec<T>, SyncError> {
    csv::Reader::from_reader(b)
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| invalid(format!("{name} line {}: {e}", i + 2))))
        .collect()
}

fn json_bytes<T: Serialize>(v: &T) -> Result<Vec<u8>, SyncError> {
    serde_json::to_vec_pretty(v).map_err(|e| invalid(format!("cannot write json: {e}")))
}

/// Writes the snapshot to `out` (which must not exist), signed with `key`.
pub fn write(
    out: &Path,
    data: &SnapshotData,
    taken_by: &str,
    taken_at: NaiveDateTime,
    key: &SigningKey,
) -> Result<Sealed, SyncError> {
    write_anchored(out, data, taken_by, taken_at, key, None)
}

/// [`write`] with the database's audit head recorded in the (signed) manifest.
pub fn write_anchored(
    out: &Path,
    data: &SnapshotData,
    taken_by: &str,
    taken_at: NaiveDateTime,
    key: &SigningKey,
    audit_head: Option<kaoqin_store::evidence::Anchor>,
) -> Result<Sealed, SyncError> {
    let contents: Vec<(&str, Vec<u8>)> = vec![
        (PARTS[0], json_bytes(&data.device)?),
        (PARTS[1], json_bytes(&data.clock)?),
        (PARTS[2], csv_bytes(&data.users)?),
        (PARTS[3], csv_bytes(&data.log)?),
    ];
    let parts: Vec<PartHash> = contents
        .iter()
        .map(|(n, b)| PartHash {
            name: n.to_string(),
            bytes: b.len() as u64,
            sha256: sha_hex(b),
        })
        .collect();
    let manifest = Manifest {
        format: FORMAT.into(),
        terminal_name: data.device.terminal_name.clone(),
        taken_by: taken_by.into(),
        taken_at,
        whole_sha256: whole(&parts),
        parts,
        public_key: hex::encode(key.verifying_key().to_bytes()),
        audit_head,
    };
    let manifest_bytes = json_bytes(&manifest)?;
    let signature = hex::encode(key.sign(&manifest_bytes).to_bytes());

    let io = |e: std::io::Error| SyncError::Io {
        path: out.display().to_string(),
        source: e,
    };
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    // Owner-only (0600 on Unix), like the database and backups.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    let file = create.open(out).map_err(io)?;
    let mut z = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let zerr = |e: zip::result::ZipError| invalid(format!("cannot write {}: {e}", out.display()));
    for (name, bytes) in contents.iter().map(|(n, b)| (*n, b.as_slice())).chain([
        ("manifest.json", manifest_bytes.as_slice()),
        ("manifest.sig", signature.as_bytes()),
    ]) {
        z.start_file(name, opts).map_err(zerr)?;
        z.write_all(bytes).map_err(io)?;
    }
    let f = z.finish().map_err(zerr)?;
    f.sync_all().map_err(io)?;
    Ok(Sealed {
        manifest,
        signature,
    })
}

/// The outcome of [`verify`]: every problem found, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub manifest: Option<Manifest>,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn read_entry(z: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<Vec<u8>, String> {
    let mut f = z
        .by_name(name)
        .map_err(|e| format!("part {name}: missing or unreadable ({e})"))?;
    if f.size() > MAX_PART_BYTES {
        return Err(format!("part {name}: {} bytes is too large", f.size()));
    }
    let mut v = Vec::new();
    f.read_to_end(&mut v)
        .map_err(|e| format!("part {name}: damaged ({e})"))?;
    Ok(v)
}

fn open(path: &Path) -> Result<zip::ZipArchive<std::fs::File>, SyncError> {
    let f = std::fs::File::open(path).map_err(|e| SyncError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    zip::ZipArchive::new(f)
        .map_err(|e| invalid(format!("{} is not a snapshot file ({e})", path.display())))
}

/// Checks every part's hash, the whole hash and the signature. `trusted_key`: when given (the
/// key registered in Kaoqin), the manifest's key must be it.
pub fn verify(path: &Path, trusted_key: Option<&str>) -> Result<VerifyReport, SyncError> {
    let mut z = open(path)?;
    let mut problems = Vec::new();
    let manifest_bytes = match read_entry(&mut z, "manifest.json") {
        Ok(b) => b,
        Err(p) => {
            return Ok(VerifyReport {
                manifest: None,
                problems: vec![p],
            });
        }
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            return Ok(VerifyReport {
                manifest: None,
                problems: vec![format!("manifest.json is not a valid manifest ({e})")],
            });
        }
    };
    for p in &manifest.parts {
        match read_entry(&mut z, &p.name) {
            Err(e) => problems.push(e),
            Ok(b) => {
                let h = sha_hex(&b);
                if h != p.sha256 {
                    problems.push(format!(
                        "part {}: SHA-256 {h} does not match the manifest's {}",
                        p.name, p.sha256
                    ));
                }
                if b.len() as u64 != p.bytes {
                    problems.push(format!(
                        "part {}: {} bytes, the manifest says {}",
                        p.name,
                        b.len(),
                        p.bytes
                    ));
                }
            }
        }
    }
    let w = whole(&manifest.parts);
    if w != manifest.whole_sha256 {
        problems.push(format!(
            "whole SHA-256 {w} does not match the manifest's {}",
            manifest.whole_sha256
        ));
    }
    for name in PARTS {
        if !manifest.parts.iter().any(|p| p.name == name) {
            problems.push(format!("the manifest does not list {name}"));
        }
    }
    match check_signature(&mut z, &manifest, &manifest_bytes) {
        Ok(()) => {}
        Err(p) => problems.push(p),
    }
    if let Some(k) = trusted_key
        && k != manifest.public_key
    {
        problems.push(format!(
            "signed by key {}, which is not the key registered for {} ({k})",
            manifest.public_key, manifest.taken_by
        ));
    }
    Ok(VerifyReport {
        manifest: Some(manifest),
        problems,
    })
}

fn check_signature(
    z: &mut zip::ZipArchive<std::fs::File>,
    manifest: &Manifest,
    manifest_bytes: &[u8],
) -> Result<(), String> {
    let sig_hex = read_entry(z, "manifest.sig")?;
    let sig_bytes: [u8; 64] = hex::decode(String::from_utf8_lossy(&sig_hex).trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or("manifest.sig is not a hex ed25519 signature")?;
    let key_bytes: [u8; 32] = hex::decode(&manifest.public_key)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or("the manifest's public key is not a hex ed25519 key")?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|e| format!("the manifest's public key is invalid ({e})"))?;
    key.verify(manifest_bytes, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| "the signature does not match manifest.json (the manifest was changed or signed by another key)".to_string())
}

/// Reads a snapshot's data after [`verify`] passed (diff refuses unverified files).
pub fn read(path: &Path) -> Result<(Manifest, SnapshotData), SyncError> {
    let report = verify(path, None)?;
    let Some(manifest) = report.manifest.filter(|_| report.problems.is_empty()) else {
        return Err(invalid(format!(
            "{} does not verify: {}",
            path.display(),
            report.problems.join("; ")
        )));
    };
    let mut z = open(path)?;
    let get = |z: &mut zip::ZipArchive<std::fs::File>, n: &str| read_entry(z, n).map_err(invalid);
    let device: DeviceInfo = serde_json::from_slice(&get(&mut z, PARTS[0])?)
        .map_err(|e| invalid(format!("device.json: {e}")))?;
    let clock: ClockInfo = serde_json::from_slice(&get(&mut z, PARTS[1])?)
        .map_err(|e| invalid(format!("clock.json: {e}")))?;
    let users = parse_csv(PARTS[2], &get(&mut z, PARTS[2])?)?;
    let log = parse_csv(PARTS[3], &get(&mut z, PARTS[3])?)?;
    Ok((
        manifest,
        SnapshotData {
            device,
            clock,
            users,
            log,
        },
    ))
}
