//! Where Kaoqin keeps its files: the database, the log directory (data dir) and the secrets key
//! (config dir). Resolves overrides (`--db`/`KAOQIN_DB`, `KAOQIN_DATA_DIR`, `KAOQIN_CONFIG_DIR`)
//! and the platform defaults from the `directories` crate. Creates nothing: callers create what
//! they write.

use std::path::{Path, PathBuf};

/// Environment variable naming the database file (same as `--db`).
pub const ENV_DB: &str = "KAOQIN_DB";
/// Environment variable overriding the data directory (logs; default database location).
pub const ENV_DATA_DIR: &str = "KAOQIN_DATA_DIR";
/// Environment variable overriding the config directory (the secrets key file).
pub const ENV_CONFIG_DIR: &str = "KAOQIN_CONFIG_DIR";

/// File name of the database inside the data directory when no `--db` is given.
pub const DB_FILE_NAME: &str = "kaoqin.db";
/// File name of the key that encrypts terminal secrets; never inside the database.
pub const KEY_FILE_NAME: &str = "secrets.key";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub db: PathBuf,
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "cannot find a home directory for Kaoqin's data; give the database with --db PATH \
     (or KAOQIN_DB) and set KAOQIN_DATA_DIR and KAOQIN_CONFIG_DIR"
)]
pub struct NoHomeDir;

impl Paths {
    /// Resolves the paths from an explicit database path (already merged with `KAOQIN_DB` by clap)
    /// and the environment.
    pub fn resolve(db: Option<PathBuf>) -> Result<Paths, NoHomeDir> {
        let env_dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self::resolve_with(db, env_dir(ENV_DATA_DIR), env_dir(ENV_CONFIG_DIR))
    }

    /// Pure part of [`Paths::resolve`], for tests.
    pub fn resolve_with(
        db: Option<PathBuf>,
        data_dir: Option<PathBuf>,
        config_dir: Option<PathBuf>,
    ) -> Result<Paths, NoHomeDir> {
        let project = || directories::ProjectDirs::from("org", "Kaoqin", "kaoqin");
        let data_dir = match data_dir {
            Some(d) => d,
            None => project().ok_or(NoHomeDir)?.data_dir().to_path_buf(),
        };
        let config_dir = match config_dir {
            Some(d) => d,
            None => project().ok_or(NoHomeDir)?.config_dir().to_path_buf(),
        };
        let db = db.unwrap_or_else(|| data_dir.join(DB_FILE_NAME));
        Ok(Paths {
            db,
            data_dir,
            config_dir,
        })
    }

    /// Rolling log files live here.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The key file for terminal secrets (owner-only permissions; outside the database).
    pub fn key_file(&self) -> PathBuf {
        self.config_dir.join(KEY_FILE_NAME)
    }

    /// Where `restore` puts the current database aside: beside it, stamped with the time.
    pub fn set_aside_path(db: &Path, stamp: &str) -> PathBuf {
        let name = db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| DB_FILE_NAME.to_string());
        db.with_file_name(format!("{name}.before-restore-{stamp}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_paths_win() {
        let p = Paths::resolve_with(Some("/x/a.db".into()), Some("/d".into()), Some("/c".into()))
            .unwrap();
        assert_eq!(p.db, PathBuf::from("/x/a.db"));
        assert_eq!(p.log_dir(), PathBuf::from("/d/logs"));
        assert_eq!(p.key_file(), PathBuf::from("/c/secrets.key"));
    }

    #[test]
    fn default_db_is_in_the_data_dir() {
        let p = Paths::resolve_with(None, Some("/d".into()), Some("/c".into())).unwrap();
        assert_eq!(p.db, PathBuf::from("/d/kaoqin.db"));
    }

    #[test]
    fn set_aside_path_is_beside_the_db() {
        let p = Paths::set_aside_path(Path::new("/x/kaoqin.db"), "20261125-120000");
        assert_eq!(
            p,
            PathBuf::from("/x/kaoqin.db.before-restore-20261125-120000")
        );
    }
}
