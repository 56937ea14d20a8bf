//! What one run plans for: the project's layout, the segmenter, the target languages
//! asked for, and how translations in conflict are treated.

use crate::lang::Lang;
use crate::segment::Segmenter;

use super::layout::Layout;

/// The settings of job planning for one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanSettings<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) segmenter: &'a Segmenter,
    pub(crate) targets: &'a [Lang],
    /// Replace translations in conflict (after backing them up).
    pub(crate) force: bool,
    /// Plan only: learn nothing, back up nothing.
    pub(crate) dry_run: bool,
}
