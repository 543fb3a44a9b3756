//! Clean-up on every exit path of a session (success, failure, cut, cancellation): enable the
//! terminal if the work left it disabled, then disconnect, each with half the clean-up budget as
//! its own short timeout, and collect what the session row needs from the link.
//!
//! Must not fail: a terminal that does not answer gives a warning, never an error (it re-enables
//! itself when its auto-enable timeout expires), and must not store anything.

use std::collections::BTreeMap;
use std::time::Duration;

use super::guarded::{ClockReading, GuardedLink};
use super::progress::{Phase, Reporter};
use crate::link::{DeviceIdentity, TerminalLink};

/// What is left of the link after clean-up, for the session row and its audit entry.
pub(super) struct Teardown {
    /// The phase the work was in when it ended (what a failure message names).
    pub(super) phase_at_end: Phase,
    pub(super) commands: BTreeMap<String, u64>,
    pub(super) identity: Option<DeviceIdentity>,
    pub(super) clock_reading: Option<ClockReading>,
    pub(super) peer: String,
    /// Whether enabling the terminal again succeeded (None: it was not disabled).
    pub(super) reenabled: Option<bool>,
    pub(super) warnings: Vec<String>,
}

/// Enables (if disabled) and disconnects the link the work used, if it got as far as connecting;
/// `peer` is the connector's address, kept when there is no link.
pub(super) async fn tear_down<L: TerminalLink>(
    link: Option<GuardedLink<L>>,
    reporter: &Reporter,
    cleanup: Duration,
    peer: &str,
) -> Teardown {
    let mut end = Teardown {
        phase_at_end: Phase::Connecting,
        commands: BTreeMap::from([("connect".to_string(), 1)]),
        identity: None,
        clock_reading: None,
        peer: peer.to_string(),
        reenabled: None,
        warnings: Vec::new(),
    };
    if let Some(mut g) = link {
        end.phase_at_end = g.phase;
        end.peer = g.link.peer();
        if g.disabled {
            end.reenabled = Some(reenable(&mut g, reporter, cleanup, &mut end.warnings).await);
        }
        disconnect(g, reporter, cleanup, &mut end).await;
    }
    end
}

/// ENABLE_DEVICE with its own short timeout; whether it succeeded.
async fn reenable<L: TerminalLink>(
    g: &mut GuardedLink<L>,
    reporter: &Reporter,
    cleanup: Duration,
    warnings: &mut Vec<String>,
) -> bool {
    reporter.send(Phase::Enabling, 0, 0);
    *g.commands.entry("enable_device".into()).or_insert(0) += 1;
    let reenabled = match tokio::time::timeout(cleanup / 2, g.link.enable()).await {
        Ok(Ok(())) => {
            g.disabled = false;
            true
        }
        Ok(Err(e)) => {
            warnings.push(format!("enabling the terminal failed: {e}"));
            false
        }
        Err(_) => {
            warnings.push(format!(
                "enabling the terminal got no answer within {:?}",
                cleanup / 2
            ));
            false
        }
    };
    if g.disabled {
        warnings.push("the terminal re-enables itself when its auto-enable timeout expires".into());
    }
    reenabled
}

/// Takes the counted commands (with the driver's protocol counts), identity and clock reading
/// from the link, then disconnects with its own short timeout.
async fn disconnect<L: TerminalLink>(
    mut g: GuardedLink<L>,
    reporter: &Reporter,
    cleanup: Duration,
    end: &mut Teardown,
) {
    reporter.send(Phase::Disconnecting, 0, 0);
    *g.commands.entry("disconnect".into()).or_insert(0) += 1;
    if let Some(proto) = g.link.protocol_commands() {
        for (k, v) in proto {
            g.commands.insert(format!("protocol:{k}"), v);
        }
    }
    end.commands = std::mem::take(&mut g.commands);
    end.identity = g.identity.take();
    end.clock_reading = g.clock_reading.take();
    match tokio::time::timeout(cleanup / 2, g.link.disconnect()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => end.warnings.push(format!("disconnect: {e}")),
        Err(_) => end
            .warnings
            .push("disconnect got no answer; the link was closed".into()),
    }
}
