//! `kaoqin-sim`: a simulated ZK face attendance terminal for tests, demos and benchmarks.
//! The binary (`src/main.rs`) wires these modules to sockets; the protocol itself is sans-IO in
//! [`protocol`] and uses the `kaoqin-zk` codec for every byte layout.

pub mod cli;
pub mod clock;
pub mod control;
pub mod csvio;
pub mod generator;
pub mod model;
pub mod protocol;
pub mod server;
pub mod state;
pub mod wire;
