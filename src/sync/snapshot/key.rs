//! The auditor's own ed25519 signing key: 32 random bytes, hex, in a file only its owner can read
//! (the app puts it in the user's config directory), created on first use. Never logged, never in
//! the database (only the public half is registered there).

use std::io::Write;
use std::path::Path;

use ed25519_dalek::SigningKey;
use rand::RngCore;

use crate::error::SyncError;

fn io(path: &Path) -> impl Fn(std::io::Error) -> SyncError + '_ {
    move |e| SyncError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

/// Loads the key at `path`, or creates it (mode 0600 on Unix) if there is none.
pub fn load_or_create(path: &Path) -> Result<SigningKey, SyncError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| {
                    SyncError::Invalid(format!(
                        "{} is not an auditor key (64 hex digits); restore it from a backup — \
                         snapshots signed with it can still be verified by their public key",
                        path.display()
                    ))
                })?;
            return Ok(SigningKey::from_bytes(&bytes));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(path)(e)),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io(path))?;
    f.write_all(hex::encode(bytes).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(io(path))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Hex of the public half.
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}
