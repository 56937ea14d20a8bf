//! dich: a content translation pipeline for a Vietnamese-first news portal.

pub mod content;
pub mod fs;
pub mod lang;
pub mod markup;
