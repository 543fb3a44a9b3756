//! Supervised terminal sessions (placeholder until filled).
