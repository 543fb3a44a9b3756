//! Secrets at rest: terminal comm keys and admin passwords are sealed with ChaCha20-Poly1305 under a
//! 32-byte key kept OUTSIDE the database (a key file in the user's config directory, owner-only), so a
//! copied database file alone reveals nothing. This module must never log a key or a plaintext.
//!
//! Sealed blob layout: `[1 (format version)] [12-byte random nonce] [ciphertext + 16-byte tag]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

use crate::error::{Result, StoreError};

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const FORMAT: u8 = 1;

/// Seals and opens secrets with the key from a key file.
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
    path: PathBuf,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_path", &self.path)
            .finish_non_exhaustive()
    }
}

fn key_err(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::KeyFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

impl SecretBox {
    /// Loads the key at `key_path`, creating it (32 random bytes, mode 0600 on Unix, parent directories
    /// as needed) if it does not exist. Safe against two processes creating it at once.
    pub fn load_or_create(key_path: impl AsRef<Path>) -> Result<SecretBox> {
        let path = key_path.as_ref().to_path_buf();
        match std::fs::read(&path) {
            Ok(bytes) => return Self::from_file_bytes(&path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::Io { path, source: e }),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io {
                path: dir.to_path_buf(),
                source: e,
            })?;
        }
        let mut key = [0u8; KEY_LEN];
        rand::rng().fill_bytes(&mut key);
        // Write a private temp file, then hard-link it into place: the link fails if another process won
        // the race, and nobody ever reads a half-written key.
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        {
            let mut f = private_create(&tmp).map_err(|e| StoreError::Io {
                path: tmp.clone(),
                source: e,
            })?;
            f.write_all(&key)
                .and_then(|_| f.sync_all())
                .map_err(|e| StoreError::Io {
                    path: tmp.clone(),
                    source: e,
                })?;
        }
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Self::from_key(path, &key)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = std::fs::read(&path).map_err(|e| StoreError::Io {
                    path: path.clone(),
                    source: e,
                })?;
                Self::from_file_bytes(&path, &bytes)
            }
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Loads an existing key file; never creates one.
    pub fn load(key_path: impl AsRef<Path>) -> Result<SecretBox> {
        let path = key_path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).map_err(|e| StoreError::Io {
            path: path.clone(),
            source: e,
        })?;
        Self::from_file_bytes(&path, &bytes)
    }

    fn from_file_bytes(path: &Path, bytes: &[u8]) -> Result<SecretBox> {
        let key: [u8; KEY_LEN] = bytes.try_into().map_err(|_| {
            key_err(
                path,
                format!(
                    "expected {KEY_LEN} bytes, found {}; the file is damaged",
                    bytes.len()
                ),
            )
        })?;
        tighten_permissions(path);
        Ok(Self::from_key(path.to_path_buf(), &key))
    }

    fn from_key(path: PathBuf, key: &[u8; KEY_LEN]) -> SecretBox {
        SecretBox {
            cipher: ChaCha20Poly1305::new(Key::from_slice(key)),
            path,
        }
    }

    /// The key file this box uses.
    pub fn key_path(&self) -> &Path {
        &self.path
    }

    /// Encrypts `plaintext` with a fresh random nonce.
    pub fn seal(&self, plaintext: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| key_err(&self.path, "encryption failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts a blob from [`SecretBox::seal`]. A wrong key or a damaged blob gives
    /// `StoreError::SecretUndecryptable` naming the key file.
    pub fn open(&self, blob: &[u8]) -> Result<String> {
        let undecryptable = || StoreError::SecretUndecryptable {
            key_path: self.path.clone(),
        };
        let (version, rest) = blob.split_first().ok_or_else(undecryptable)?;
        if *version != FORMAT || rest.len() < NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| undecryptable())?;
        String::from_utf8(pt).map_err(|_| undecryptable())
    }
}

#[cfg(unix)]
fn private_create(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_create(path: &Path) -> std::io::Result<std::fs::File> {
    // On Windows the file inherits the ACL of the user's profile directory, which is owner-only.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Makes an existing key file owner-only again if someone widened it.
#[cfg(unix)]
fn tighten_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "secret key file was readable by others; setting mode 0600");
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(not(unix))]
fn tighten_permissions(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_wrong_key() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretBox::load_or_create(dir.path().join("cfg/a.key")).unwrap();
        let blob = a.seal("通讯密码 123456").unwrap();
        assert!(!blob.windows(6).any(|w| w == b"123456"));
        assert_eq!(a.open(&blob).unwrap(), "通讯密码 123456");
        // Same file again gives the same key.
        let a2 = SecretBox::load_or_create(dir.path().join("cfg/a.key")).unwrap();
        assert_eq!(a2.open(&blob).unwrap(), "通讯密码 123456");
        // Two seals differ (random nonce).
        assert_ne!(a.seal("x").unwrap(), a.seal("x").unwrap());

        let b = SecretBox::load_or_create(dir.path().join("b.key")).unwrap();
        let err = b.open(&blob).unwrap_err();
        assert!(
            matches!(err, StoreError::SecretUndecryptable { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("b.key"));
        assert!(matches!(
            a.open(&[]),
            Err(StoreError::SecretUndecryptable { .. })
        ));
        assert!(matches!(
            a.open(&blob[..10]),
            Err(StoreError::SecretUndecryptable { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.key");
        SecretBox::load_or_create(&p).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(std::fs::read(&p).unwrap().len(), 32);
    }

    #[test]
    fn damaged_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.key");
        std::fs::write(&p, b"short").unwrap();
        let err = SecretBox::load_or_create(&p).unwrap_err();
        assert!(
            err.to_string().contains("bad.key") && err.to_string().contains("damaged"),
            "{err}"
        );
    }
}
