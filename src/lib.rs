//! Kaoqin (考勤): the application library behind the `kaoqin` binary.
//!
//! `app` holds the application services (the only way the CLI and the GUI change anything),
//! `cli` the command line. The GUI lives in `gui`. Business rules are in `kaoqin-domain`,
//! storage in `kaoqin-store`; nothing here talks SQL directly.

pub mod app;
pub mod cli;
pub mod gui;
pub mod i18n;

// All user-visible strings: locales/{zh-CN,zh-TW,en}.yml; zh-CN is the default and the fallback.
rust_i18n::i18n!("locales", fallback = "zh-CN");

/// `crate::t!` for the whole crate (GUI pages, i18n tests).
pub use rust_i18n::t;
