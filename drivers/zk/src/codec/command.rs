//! Command and reply codes of the ZK "pull" protocol (docs/terminal-protocols.md §1), plus the
//! read-only whitelist that the auditor session relies on. Only numbers live here: no encoding.

pub const CONNECT: u16 = 1000;
pub const EXIT: u16 = 1001;
pub const ENABLE_DEVICE: u16 = 1002;
pub const DISABLE_DEVICE: u16 = 1003;
pub const AUTH: u16 = 1102;
pub const GET_VERSION: u16 = 1100;
pub const OPTIONS_RRQ: u16 = 11;
pub const OPTIONS_WRQ: u16 = 12;
pub const GET_FREE_SIZES: u16 = 50;
pub const GET_TIME: u16 = 201;
pub const SET_TIME: u16 = 202;
pub const STATE_RRQ: u16 = 64;
pub const PREPARE_DATA: u16 = 1500;
pub const DATA: u16 = 1501;
pub const FREE_DATA: u16 = 1502;
/// "Prepare buffer" (DATA_WRRQ): asks the terminal to stage a table for chunked reading.
pub const PREPARE_BUFFER: u16 = 1503;
/// "Read chunk" (DATA_RDY): `u32 offset, u32 len` of the staged buffer.
pub const READ_CHUNK: u16 = 1504;
pub const USER_WRQ: u16 = 8;
pub const USERTEMP_RRQ: u16 = 9;
pub const ATTLOG_RRQ: u16 = 13;
pub const DB_RRQ: u16 = 7;
pub const DELETE_USER: u16 = 18;
/// Deletes one fingerprint template: `i16 uid, i8 finger`.
pub const DELETE_USERTEMP: u16 = 19;
pub const CLEAR_DATA: u16 = 14;
pub const CLEAR_ATTLOG: u16 = 15;
pub const REFRESH_DATA: u16 = 1013;
pub const REFRESH_OPTION: u16 = 1014;
pub const REG_EVENT: u16 = 500;
pub const START_VERIFY: u16 = 60;
pub const CANCEL_CAPTURE: u16 = 62;

pub const ACK_OK: u16 = 2000;
pub const ACK_ERROR: u16 = 2001;
pub const ACK_DATA: u16 = 2002;
pub const ACK_UNAUTH: u16 = 2005;
/// Newer firmware answers CONNECT with this when a comm key is required (pyzk #253).
pub const ACK_UNAUTH_NEW: u16 = 6001;
pub const ACK_UNKNOWN: u16 = 0xFFFF;

/// Event flag for attendance events in REG_EVENT.
pub const EF_ATTLOG: u32 = 1;
/// Event code carried in the session field of a cmd-500 packet for an attendance punch.
pub const EVENT_ATTLOG: u16 = 1;

/// Table id (second byte of the PREPARE_BUFFER request) for users.
pub const TABLE_USERS: u8 = USERTEMP_RRQ as u8;
/// Table id for the attendance log.
pub const TABLE_ATTLOG: u8 = ATTLOG_RRQ as u8;

/// Human name of a command or reply code, for logs and error messages.
pub fn command_name(cmd: u16) -> Option<&'static str> {
    Some(match cmd {
        CONNECT => "CONNECT",
        EXIT => "EXIT",
        ENABLE_DEVICE => "ENABLE_DEVICE",
        DISABLE_DEVICE => "DISABLE_DEVICE",
        AUTH => "AUTH",
        GET_VERSION => "GET_VERSION",
        OPTIONS_RRQ => "OPTIONS_RRQ",
        OPTIONS_WRQ => "OPTIONS_WRQ",
        GET_FREE_SIZES => "GET_FREE_SIZES",
        GET_TIME => "GET_TIME",
        SET_TIME => "SET_TIME",
        STATE_RRQ => "STATE_RRQ",
        PREPARE_DATA => "PREPARE_DATA",
        DATA => "DATA",
        FREE_DATA => "FREE_DATA",
        PREPARE_BUFFER => "PREPARE_BUFFER",
        READ_CHUNK => "READ_CHUNK",
        USER_WRQ => "USER_WRQ",
        USERTEMP_RRQ => "USERTEMP_RRQ",
        ATTLOG_RRQ => "ATTLOG_RRQ",
        DB_RRQ => "DB_RRQ",
        DELETE_USER => "DELETE_USER",
        DELETE_USERTEMP => "DELETE_USERTEMP",
        CLEAR_DATA => "CLEAR_DATA",
        CLEAR_ATTLOG => "CLEAR_ATTLOG",
        REFRESH_DATA => "REFRESH_DATA",
        REFRESH_OPTION => "REFRESH_OPTION",
        REG_EVENT => "REG_EVENT",
        START_VERIFY => "START_VERIFY",
        CANCEL_CAPTURE => "CANCEL_CAPTURE",
        ACK_OK => "ACK_OK",
        ACK_ERROR => "ACK_ERROR",
        ACK_DATA => "ACK_DATA",
        ACK_UNAUTH => "ACK_UNAUTH",
        ACK_UNAUTH_NEW => "ACK_UNAUTH(6001)",
        ACK_UNKNOWN => "ACK_UNKNOWN",
        _ => return None,
    })
}

/// Commands a read-only session (the auditor's) may send: they never change users, logs,
/// options, clock or device state. DISABLE/ENABLE are excluded on purpose: a read-only session
/// must not stop a terminal from taking punches. FREE_DATA only releases the read buffer.
pub fn is_read_only_command(cmd: u16) -> bool {
    matches!(
        cmd,
        CONNECT
            | EXIT
            | AUTH
            | GET_VERSION
            | OPTIONS_RRQ
            | GET_FREE_SIZES
            | GET_TIME
            | STATE_RRQ
            | PREPARE_BUFFER
            | READ_CHUNK
            | FREE_DATA
            | USERTEMP_RRQ
            | ATTLOG_RRQ
            | DB_RRQ
            | ACK_OK
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_commands_are_not_read_only() {
        for cmd in [
            OPTIONS_WRQ,
            SET_TIME,
            USER_WRQ,
            DELETE_USER,
            DELETE_USERTEMP,
            CLEAR_DATA,
            CLEAR_ATTLOG,
            DISABLE_DEVICE,
            ENABLE_DEVICE,
            REFRESH_DATA,
            REFRESH_OPTION,
            START_VERIFY,
            0x1234,
        ] {
            assert!(!is_read_only_command(cmd), "{cmd} must not be read-only");
        }
        for cmd in [
            GET_TIME,
            OPTIONS_RRQ,
            PREPARE_BUFFER,
            READ_CHUNK,
            GET_FREE_SIZES,
        ] {
            assert!(is_read_only_command(cmd), "{cmd} must be read-only");
        }
    }
}
