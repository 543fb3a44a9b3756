//! Pure attendance rules (placeholder until filled).
