//! ZK protocol (placeholder until filled).
