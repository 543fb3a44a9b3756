//! Logging set-up: `tracing` to a daily-rotated file in the data directory, mirrored on stderr
//! with `--verbose`. Called once by the binary; libraries only emit events. Never log secrets.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keep this alive until exit: dropping it flushes the log file.
#[must_use = "dropping the guard stops file logging"]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// How many daily files to keep.
const KEEP_FILES: usize = 30;

/// Installs the global subscriber. If the log directory cannot be created the file layer is left
/// out and the reason is returned beside the guard, so the caller can warn and carry on: losing
/// the log must not stop an attendance clerk's work.
pub fn init(log_dir: &Path, verbose: bool) -> (LogGuard, Option<String>) {
    let filter = || {
        EnvFilter::try_from_env("KAOQIN_LOG")
            .unwrap_or_else(|_| EnvFilter::new(if verbose { "debug" } else { "info" }))
    };
    let (file_layer, guard, problem) = match std::fs::create_dir_all(log_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("kaoqin")
                .filename_suffix("log")
                .max_log_files(KEEP_FILES)
                .build(log_dir)
                .map_err(|e| e.to_string())
        }) {
        Ok(appender) => {
            make_private(log_dir);
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter_boxed(filter());
            (Some(layer), Some(guard), None)
        }
        Err(e) => (
            None,
            None,
            Some(format!(
                "cannot write the log in {}: {e}",
                log_dir.display()
            )),
        ),
    };
    let stderr_layer = verbose.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_target(false)
            .with_filter_boxed(filter())
    });
    // A second init (tests calling main logic twice) is harmless: keep the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    (LogGuard { _file: guard }, problem)
}

/// The log directory is its owner's only (0700 on Unix), and so is each log file in it (0600):
/// logs name users and terminals. New daily files are created inside the closed directory.
fn make_private(log_dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(log_dir, std::fs::Permissions::from_mode(0o700));
        if let Ok(entries) = std::fs::read_dir(log_dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_file()
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("kaoqin"))
                {
                    let _ = kaoqin_store::private_file::restrict(&p);
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = log_dir;
}

/// Boxing helper so both layers have one concrete type regardless of writer.
trait WithFilterBoxed<S> {
    fn with_filter_boxed(
        self,
        filter: EnvFilter,
    ) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>;
}

impl<S, L> WithFilterBoxed<S> for L
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    L: tracing_subscriber::Layer<S> + Send + Sync + 'static,
{
    fn with_filter_boxed(
        self,
        filter: EnvFilter,
    ) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync> {
        Box::new(self.with_filter(filter))
    }
}
