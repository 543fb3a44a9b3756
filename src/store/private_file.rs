//! Files only their owner may read: the database, the log-in throttle file, backups, snapshots
//! (0600 on Unix; on Windows the user's profile directories already keep them private).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `path` (or truncates it) for writing, readable and writable by its owner only when
/// this call creates it. An existing file keeps its permissions.
pub fn create(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    owner_only(&mut o);
    o.open(path)
}

/// Creates a new, empty file at `path` readable by its owner only; does nothing if it exists.
pub fn touch(path: &Path) -> io::Result<()> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    owner_only(&mut o);
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes an existing file readable and writable by its owner only (no-op off Unix).
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(unix)]
fn owner_only(o: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    o.mode(0o600);
}

#[cfg(not(unix))]
fn owner_only(_: &mut OpenOptions) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        create(&a).unwrap();
        let b = dir.path().join("b");
        touch(&b).unwrap();
        touch(&b).unwrap();
        for p in [a, b] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }
}
