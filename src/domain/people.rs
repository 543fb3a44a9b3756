//! Plain input records: employees and raw punches, as the store maps its rows into them.
//!
//! Must stay plain data (no behaviour beyond small helpers) so storage and drivers can fill them.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// An employee (工号 `no` equals the terminal's enrollment number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    pub no: String,
    pub name: String,
    pub department: String,
    /// First day of employment (inclusive); `None` = employed since before any date of interest.
    pub hired: Option<NaiveDate>,
    /// Last day of employment (inclusive); `None` = still employed.
    pub left: Option<NaiveDate>,
    /// Shown in lists; reconciliation goes by `hired`/`left` only.
    pub active: bool,
}

impl Employee {
    pub fn new(no: &str, name: &str, department: &str) -> Self {
        Employee {
            no: no.to_string(),
            name: name.to_string(),
            department: department.to_string(),
            hired: None,
            left: None,
            active: true,
        }
    }

    /// Whether `date` lies within the employment period.
    pub fn employed_on(&self, date: NaiveDate) -> bool {
        self.hired.is_none_or(|h| date >= h) && self.left.is_none_or(|l| date <= l)
    }
}

/// One raw punch as read from a terminal (local time, no zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Punch {
    pub enrollment_no: String,
    pub ts: NaiveDateTime,
    /// Terminal verification mode (ZK: 1 fingerprint, 0/3 password, 15 face, ...).
    pub verify_mode: u8,
    /// Terminal state key (ZK: 0 check-in, 1 check-out, 2 break-out, 3 break-in, 4 OT-in, 5 OT-out).
    pub in_out_state: u8,
    pub terminal_serial: String,
}

/// Which kind of punch something stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PunchKind {
    In,
    Out,
}

impl PunchKind {
    /// The kind a ZK state key denotes, when it denotes one.
    pub fn from_state_key(state: u8) -> Option<Self> {
        match state {
            0 | 3 | 4 => Some(PunchKind::In),
            1 | 2 | 5 => Some(PunchKind::Out),
            _ => None,
        }
    }
}

/// Where a raw punch came from: the evidence behind it. A punch downloaded from a terminal or read from
/// its own `attlog.dat` comes from the device; one imported from Kaoqin's punches CSV comes from a file
/// anyone can write, so it is weaker evidence and is shown as such wherever the punch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PunchOrigin {
    /// Downloaded from the terminal in a supervised session (network or serial cable).
    Download,
    /// Imported from the terminal's own `attlog.dat` (USB stick).
    UsbImport,
    /// Imported from Kaoqin's punches CSV.
    CsvImport,
}

impl PunchOrigin {
    pub const ALL: [PunchOrigin; 3] = [Self::Download, Self::UsbImport, Self::CsvImport];

    /// "download" | "usb_import" | "csv_import" (stable; locale keys end with it).
    pub fn code(self) -> &'static str {
        match self {
            Self::Download => "download",
            Self::UsbImport => "usb_import",
            Self::CsvImport => "csv_import",
        }
    }

    /// "download" | "usb import" | "csv import" (the CLI's words).
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Download => "download",
            Self::UsbImport => "usb import",
            Self::CsvImport => "csv import",
        }
    }

    /// 联机下载 | U盘导入 | CSV导入.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Download => "联机下载",
            Self::UsbImport => "U盘导入",
            Self::CsvImport => "CSV导入",
        }
    }
}
