//! Secrets typed by a person or given in the environment. Only the CLI prompts; services receive
//! the values. Never echo, log or print what is read here.

use anyhow::{Context, Result, bail};

pub const ENV_PASSWORD: &str = "KAOQIN_PASSWORD";
pub const ENV_NEW_PASSWORD: &str = "KAOQIN_NEW_PASSWORD";
pub const ENV_TERMINAL_SECRET: &str = "KAOQIN_TERMINAL_SECRET";

/// The logged-in user's password: `KAOQIN_PASSWORD`, else asked once.
pub fn password(user: &str) -> Result<String> {
    if let Ok(p) = std::env::var(ENV_PASSWORD) {
        return Ok(p);
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .context("cannot read the password; set KAOQIN_PASSWORD or run in a terminal")
}

/// A password being set: from `env_name`, else asked twice so a typo is not locked in.
pub fn new_password(env_name: &str, whose: &str) -> Result<String> {
    if let Ok(p) = std::env::var(env_name) {
        return Ok(p);
    }
    let first =
        rpassword::prompt_password(format!("New password for {whose}: ")).with_context(|| {
            format!("cannot read the password; set {env_name} or run in a terminal")
        })?;
    let second = rpassword::prompt_password("Repeat it: ").with_context(|| {
        format!("cannot read the password; set {env_name} or run in a terminal")
    })?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// A terminal's comm key or ISAPI password; empty means "none". Asked once (it is checked against
/// the terminal when connecting).
pub fn terminal_secret(terminal: &str) -> Result<String> {
    if let Ok(p) = std::env::var(ENV_TERMINAL_SECRET) {
        return Ok(p);
    }
    rpassword::prompt_password(format!(
        "Comm key / ISAPI password for terminal {terminal} (empty for none): "
    ))
    .context("cannot read the terminal secret; set KAOQIN_TERMINAL_SECRET or run in a terminal")
}
