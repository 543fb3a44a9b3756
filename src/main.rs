//! `kaoqin`: without a subcommand opens the desktop window; with one, runs a job headless.
//! All logic is in the library (`kaoqin::cli`).

fn main() -> std::process::ExitCode {
    kaoqin::cli::main_entry()
}
