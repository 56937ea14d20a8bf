//! dich: a content translation pipeline for a Vietnamese-first news portal.

pub mod backend;
pub mod config;
pub mod content;
pub mod error;
pub mod fluent;
pub mod fs;
pub mod lang;
pub mod markup;
pub mod memory;
pub mod pipeline;
pub mod segment;
