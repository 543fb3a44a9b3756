//! `device password`: sets the super admin's password on the terminal and reads it back to
//! confirm that the terminal kept it.
//!
//! Must not keep, log or audit the password: the audit details name the super admin only.

use serde_json::json;

use super::runner::{AdminCtx, run_admin};
use super::users::{DeviceUser, is_super, users};
use crate::error::SyncError;
use crate::link::LinkError;

/// `device password`: sets the super admin's password, reads it back. Returns the super admin.
pub async fn set_admin_password(
    ctx: AdminCtx<'_>,
    password: String,
) -> Result<DeviceUser, SyncError> {
    if password.len() < 4 || password.len() > 8 || !password.chars().all(|c| c.is_ascii_digit()) {
        return Err(SyncError::Invalid(
            "a terminal password is 4 to 8 digits (the T9 keypad has digits only)".into(),
        ));
    }
    run_admin(
        ctx,
        "set the super admin's password",
        move |g| {
            Box::pin(async move {
                let all = users(g).await?;
                let mut su = all
                    .iter()
                    .filter(|u| is_super(u.privilege.0))
                    .min_by_key(|u| u.uid)
                    .cloned()
                    .ok_or_else(|| {
                        crate::session::work_error(
                            "the terminal has no super admin; run `kaoqin device policy check`",
                        )
                    })?;
                su.password = password.clone();
                g.note_command("set_user");
                g.link_mut()
                    .client_mut()
                    .set_user(&su)
                    .await
                    .map_err(LinkError::from)?;
                let again = users(g).await?;
                let confirmed = again
                    .iter()
                    .any(|u| u.uid == su.uid && u.password == password);
                if !confirmed {
                    return Err(crate::session::work_error(
                        "the terminal did not keep the new password (read back differs)",
                    ));
                }
                Ok(DeviceUser::from(&su))
            })
        },
        |u| json!({ "super_admin": u.enrollment_no, "uid": u.uid, "confirmed": true }),
    )
    .await
}
