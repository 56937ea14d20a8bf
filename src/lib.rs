//! dich: a content translation pipeline for a Vietnamese-first news portal.

pub mod segment;
