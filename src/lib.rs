//! dich: a content translation pipeline for a Vietnamese-first news portal.

pub mod fs;
pub mod lang;
pub mod markup;
