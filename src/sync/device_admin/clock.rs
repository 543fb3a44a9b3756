//! `device clock [--sync]`: the terminal's clock skew, and after setting it from the PC's (the
//! injected clock), the skew read back.
//!
//! Must not read the PC clock other than through the session's injected clock.

use serde::Serialize;
use serde_json::json;

use super::runner::{AdminCtx, run_admin};
use crate::error::SyncError;
use crate::link::LinkError;

/// `device clock [--sync]`: skew before, and after setting the terminal from the PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockReport {
    pub skew_before_secs: i64,
    pub skew_after_secs: Option<i64>,
}

pub async fn clock(ctx: AdminCtx<'_>, sync: bool) -> Result<ClockReport, SyncError> {
    let what = if sync {
        "set the terminal clock"
    } else {
        "read the terminal clock"
    };
    run_admin(
        ctx,
        what,
        move |g| {
            Box::pin(async move {
                let before = g.read_clock().await?;
                if !sync {
                    return Ok(ClockReport {
                        skew_before_secs: before.skew_secs(),
                        skew_after_secs: None,
                    });
                }
                g.note_command("set_time");
                // The injected clock: the PC's in the program, a set time in tests.
                let now = g.now();
                g.link_mut()
                    .client_mut()
                    .set_time(now)
                    .await
                    .map_err(LinkError::from)?;
                let after = g.read_clock().await?;
                Ok(ClockReport {
                    skew_before_secs: before.skew_secs(),
                    skew_after_secs: Some(after.skew_secs()),
                })
            })
        },
        |r| json!({ "skew_before_secs": r.skew_before_secs, "skew_after_secs": r.skew_after_secs }),
    )
    .await
}
