//! dich: a content translation pipeline for a Vietnamese-first news portal.
//!
//! It reads Vietnamese Markdown articles (`content/`) and Fluent UI strings
//! (`locales/`), splits them into sentences with Vietnamese-aware rules, sends only
//! what is new to a machine-translation backend, and writes the translations next to
//! the sources, atomically and with provenance. A translation memory makes re-runs
//! pay only for what changed and keeps every human edit.
//!
//! The stages, one module each: [`config`] → [`content`] and [`fluent`] → [`segment`]
//! and [`markup`] → [`backend`] and [`memory`] → [`pipeline`].
//!
//! # Example
//!
//! Translate a one-article project with the offline `pseudo` backend:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dich::pipeline::{NoProgress, Options, Project};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(
//!     dir.path().join("config.toml"),
//!     "[project]\nsource = \"vi\"\ntargets = [\"en\"]\n",
//! )?;
//! std::fs::create_dir(dir.path().join("content"))?;
//! std::fs::write(
//!     dir.path().join("content/bai.md"),
//!     "+++\ntitle = \"Tin mới\"\n+++\n\nTP. Bắc Ninh đón 1.676 du khách. Trời đẹp.\n",
//! )?;
//!
//! let project = Project::load(&dir.path().join("config.toml"))?;
//! let chain = dich::backend::chain_from_config(project.config(), None)?;
//! let runtime = tokio::runtime::Runtime::new()?;
//! let report = runtime.block_on(project.translate(&chain, &Options::default(), &NoProgress))?;
//!
//! assert_eq!(report.segments_sent, 3); // the title and two sentences
//! let english = std::fs::read_to_string(dir.path().join("content/bai.en.md"))?;
//! assert!(english.contains("[en] TP. Bac Ninh don 1.676 du khach."));
//! # Ok(())
//! # }
//! ```

pub mod backend;
pub mod config;
pub mod content;
pub mod fluent;
pub mod fs;
pub mod markup;
pub mod memory;
pub mod pipeline;
pub mod priority;
pub mod qa;
pub mod review;
pub mod segment;
pub mod serve;

/// Language tags; the `dich-runtime` crate's, since the portal's lookup speaks them.
pub use dich_runtime::lang;
/// Positions in a text (line and column); the `dich-runtime` crate's, so every
/// positioned error of both crates counts the same way.
pub use dich_runtime::text_position;
