//! The jobs of one reference `.ftl` file: one per target locale that lacks messages.
//! The existing target file is spliced, never re-serialised.

use std::path::Path;
use std::sync::Arc;

use crate::fluent::FtlPlan;

use super::job::{Job, JobDoc, JobUnit};
use super::read_ahead::Room;
use super::segments::plan_unit;
use super::settings::PlanSettings;
use crate::pipeline::progress::Progress;
use crate::pipeline::report::{Report, Why};

/// The jobs of the reference file `reference` (`rel` below the reference locale's
/// folder). A file that cannot be read or planned fails alone, in `report`.
pub(super) fn jobs(
    settings: &PlanSettings<'_>,
    reference: &Path,
    rel: &Path,
    report: &mut Report,
    progress: &dyn Progress,
) -> Vec<Job> {
    let layout = settings.layout;
    let source_rel = layout.display_path(reference);
    let text = match crate::fluent::read_ftl(reference) {
        Ok(Some(text)) => text,
        Ok(None) => return Vec::new(),
        Err(e) => {
            report.fail(source_rel, None, e.to_string());
            return Vec::new();
        }
    };
    let mut jobs = Vec::new();
    for target in settings.targets {
        let out_path = layout.ftl_translation(rel, target);
        let out_rel = layout.display_path(&out_path);
        // A file dich cannot decode fails alone and is never overwritten (issue 10).
        let existing = match crate::fluent::read_ftl(&out_path) {
            Ok(existing) => existing,
            Err(e) => {
                report.fail(out_rel, Some(target), e.to_string());
                continue;
            }
        };
        let plan = match FtlPlan::new(
            reference,
            &text,
            &out_path,
            existing.as_deref(),
            &layout.source,
            target,
        ) {
            Ok(plan) => plan,
            Err(e) => {
                report.fail(out_rel, Some(target), e.to_string());
                continue;
            }
        };
        if plan.units().is_empty() {
            progress.file_done(&out_rel, target, "up to date");
            continue;
        }
        let units = plan
            .units()
            .iter()
            .map(|u| JobUnit::Machine(Arc::new(plan_unit(settings.segmenter, u.tagged.text()))))
            .collect();
        let (missing, stale) = (plan.missing_ids().len(), plan.stale_ids().len());
        let why = match (&existing, missing) {
            (None, _) => (Why::Missing, None),
            (Some(_), 0) => (Why::UiStringsStale, Some(format!("{stale} stale"))),
            (Some(_), _) => (
                Why::UiStringsMissing,
                Some(format!("{missing} missing, {stale} stale")),
            ),
        };
        jobs.push(Job {
            target: target.clone(),
            out_path,
            rel: out_rel,
            source_rel: source_rel.clone(),
            doc: JobDoc::Ftl(Box::new(plan)),
            units,
            keys: Vec::new(),
            reviews: Vec::new(),
            proposals: Vec::new(),
            back_up_first: false,
            why,
            // Fluent files are small and not read ahead.
            room: Room::default(),
        });
    }
    jobs
}
