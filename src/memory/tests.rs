//! The memory's behaviour, the same on both stores: every test in `on_both_stores!`
//! runs once on SQLite and once on a fresh PostgreSQL schema (skipped visibly without
//! a server, see [`testing`](super::testing)).

use std::time::Duration;

use super::*;

fn langs() -> (Lang, Lang) {
    (Lang::parse("vi").unwrap(), Lang::parse("en").unwrap())
}

fn entry<'a>(source: &'a str, translation: &'a str, origin: Origin) -> NewEntry<'a> {
    NewEntry {
        source,
        translation,
        origin,
        backend: "test",
    }
}

/// Settings for a PostgreSQL memory at `url`, as repository `repository`, in a
/// checkout of its own.
pub(super) fn shared(url: &str, repository: &str, share: Share) -> Shared {
    Shared {
        url: url.to_owned(),
        password: None,
        repository: repository.to_owned(),
        workspace: format!("{:x}", rand::random::<u64>()),
        share,
        lease: Duration::from_secs(60),
    }
}

/// The translations of what a lookup found, `None` where it found nothing.
fn translations(found: &[Option<Entry>]) -> Vec<Option<&str>> {
    (found.iter())
        .map(|found| found.as_ref().map(|e| e.translation.as_str()))
        .collect()
}

/// A PostgreSQL memory on a fresh schema, or `None` (skipped) without a server.
pub(super) fn postgres_memory(test: &str) -> Option<(Memory, String)> {
    let url = testing::schema_url(test)?;
    let memory = Memory::connect(&shared(&url, "portal-a", Share::HumanOnly)).unwrap();
    Some((memory, url))
}

/// Each test body, with `$memory` bound to an empty memory, as two tests: one on
/// SQLite, one on PostgreSQL.
macro_rules! on_both_stores {
    ($($name:ident($memory:ident) $body:block)*) => {
        mod sqlite_store {
            use super::*;
            $(
                #[test]
                #[allow(unused_mut)]
                fn $name() {
                    let mut $memory = Memory::in_memory().unwrap();
                    $body
                }
            )*
        }
        mod postgres_store {
            use super::*;
            $(
                #[test]
                #[allow(unused_mut)]
                fn $name() {
                    let Some((mut $memory, _url)) =
                        postgres_memory(concat!("postgres_store::", stringify!($name)))
                    else {
                        return;
                    };
                    $body
                }
            )*
        }
    };
}

on_both_stores! {
    stores_and_finds_by_normalised_text(memory) {
        let (vi, en) = langs();
        memory
            .store_segments(&vi, &en, &[entry("Xin chào.", "Hello.", Origin::Machine)])
            .unwrap();
        let found = memory.segment(&vi, &en, "Xin chào.").unwrap().unwrap();
        assert_eq!(found.translation, "Hello.");
        assert!(
            memory
                .segment(&vi, &Lang::parse("ko").unwrap(), "Xin chào.")
                .unwrap()
                .is_none()
        );
        assert_eq!(memory.segment_count().unwrap(), 1);
        assert_eq!(memory.target_languages(&vi).unwrap(), vec!["en"]);
    }

    segments_read_at_once_are_what_each_lookup_finds(memory) {
        let (vi, en) = langs();
        memory
            .store_segments(
                &vi,
                &en,
                &[
                    entry("A.", "machine a", Origin::Machine),
                    entry("A.", "person a", Origin::Human),
                    entry("B.", "machine b", Origin::Machine),
                ],
            )
            .unwrap();
        let texts = ["B.", "C.", "A.", "B."];
        let found = memory.segments(&vi, &en, &texts).unwrap();
        assert_eq!(
            translations(&found),
            [Some("machine b"), None, Some("person a"), Some("machine b")]
        );
        for (text, found) in texts.iter().zip(&found) {
            assert_eq!(&memory.segment(&vi, &en, text).unwrap(), found, "{text}");
        }
        assert!(memory.segments(&vi, &en, &[]).unwrap().is_empty());
    }

    one_store_of_the_same_segment_twice_keeps_the_last(memory) {
        let (vi, en) = langs();
        memory
            .store_segments(
                &vi,
                &en,
                &[
                    entry("D.", "first", Origin::Machine),
                    entry("E.", "e", Origin::Machine),
                    entry("D.", "second", Origin::Machine),
                ],
            )
            .unwrap();
        assert_eq!(memory.segment(&vi, &en, "D.").unwrap().unwrap().translation, "second");
        assert_eq!(memory.entries(&vi, &en).unwrap().len(), 2);
    }

    a_newer_machine_answer_replaces_the_older(memory) {
        let (vi, en) = langs();
        memory
            .store_segments(&vi, &en, &[entry("C.", "old", Origin::Machine)])
            .unwrap();
        memory
            .store_segments(&vi, &en, &[entry("C.", "new", Origin::Machine)])
            .unwrap();
        assert_eq!(memory.segment(&vi, &en, "C.").unwrap().unwrap().translation, "new");
        let entries = memory.entries(&vi, &en).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].translation, "new");
    }

    human_outranks_import_outranks_machine(memory) {
        let (vi, en) = langs();
        memory
            .store_segments(&vi, &en, &[entry("A.", "machine", Origin::Machine)])
            .unwrap();
        memory
            .store_segments(&vi, &en, &[entry("A.", "import", Origin::Import)])
            .unwrap();
        assert_eq!(
            memory.segment(&vi, &en, "A.").unwrap().unwrap().translation,
            "import"
        );
        memory
            .store_segments(&vi, &en, &[entry("A.", "human", Origin::Human)])
            .unwrap();
        assert_eq!(
            memory.segment(&vi, &en, "A.").unwrap().unwrap().origin,
            Origin::Human
        );
    }

    records_writes(memory) {
        memory
            .record_file("content/x.en.md", "text", "sha256:1", &[])
            .unwrap();
        let written = memory.written("content/x.en.md").unwrap().unwrap();
        assert_eq!(written.hash, hash("text"));
        assert_eq!(written.content, "text");
        assert_eq!(written.source_hash, "sha256:1");
        assert_eq!(memory.written("content/y.en.md").unwrap(), None);
    }

    human_units_keep_their_history(memory) {
        let (vi, en) = langs();
        assert!(!memory.has_human_units(&vi, &en).unwrap());
        memory
            .store_human_unit(&vi, &en, "k1", "Nguồn.", "First edit.")
            .unwrap();
        memory
            .store_human_unit(&vi, &en, "k1", "Nguồn.", "Second edit.")
            .unwrap();
        memory
            .store_human_unit(&vi, &en, "k1", "Nguồn.", "Second edit.")
            .unwrap();
        assert!(memory.has_human_units(&vi, &en).unwrap());
        assert_eq!(
            memory.human_unit(&vi, &en, "k1").unwrap().as_deref(),
            Some("Second edit.")
        );
        assert_eq!(
            memory.unit_history(&vi, &en, "k1").unwrap(),
            vec!["First edit."]
        );
    }

    reviews_and_failures_are_per_file(memory) {
        let keys = ["k1".to_owned(), "k2".to_owned()];
        memory.record_file("a.en.md", "v1", "s1", &keys).unwrap();
        memory
            .record_file("a.en.md", "v2", "s2", &keys[1..])
            .unwrap();
        assert_eq!(memory.reviews("a.en.md").unwrap(), vec!["k2"]);
        assert!(memory.reviews("a.ko.md").unwrap().is_empty());
        memory.record_failure("a.ko.md", "quota").unwrap();
        assert_eq!(memory.failure("a.ko.md").unwrap().as_deref(), Some("quota"));
        // A successful write clears the file's failure.
        memory.record_file("a.ko.md", "v", "s", &[]).unwrap();
        assert_eq!(memory.failure("a.ko.md").unwrap(), None);
    }

    file_notes_answer_what_each_table_holds(memory) {
        let none = FileNotes::of(&memory).unwrap();
        assert_eq!(none.failure(&memory, "a.en.md").unwrap(), None);
        assert!(none.reviews(&memory, "a.en.md").unwrap().is_empty());
        assert!(none.qa_warnings(&memory, "a.en.md").unwrap().is_empty());
        assert_eq!(none.approval(&memory, "a.en.md").unwrap(), None);

        let keys = ["k1".to_owned()];
        memory.record_file("a.en.md", "v1", "s1", &keys).unwrap();
        memory.record_file("a.en.md", "v2", "s2", &keys).unwrap();
        memory.record_failure("a.ko.md", "quota").unwrap();
        memory.record_qa_warnings("a.en.md", &["numbers".to_owned()]).unwrap();
        let approval = Approval {
            path: "a.en.md".into(),
            verdict: Verdict::Approved,
            by: "Trần Thị B".into(),
            at: "2026-12-02T01:00:00Z".into(),
            source_hash: "s2".into(),
            translation_hash: "h".into(),
            reason: String::new(),
        };
        memory.record_approval(&approval).unwrap();
        // Taken before the notes were written, the snapshot still says none.
        assert_eq!(none.failure(&memory, "a.ko.md").unwrap(), None);

        let notes = FileNotes::of(&memory).unwrap();
        assert_eq!(notes.failure(&memory, "a.ko.md").unwrap().as_deref(), Some("quota"));
        assert_eq!(notes.failure(&memory, "a.en.md").unwrap(), None);
        assert_eq!(notes.reviews(&memory, "a.en.md").unwrap(), vec!["k1"]);
        assert_eq!(notes.qa_warnings(&memory, "a.en.md").unwrap(), vec!["numbers"]);
        assert_eq!(notes.approval(&memory, "a.en.md").unwrap(), Some(approval));
        assert_eq!(notes.approval(&memory, "a.ko.md").unwrap(), None);
    }

    a_write_inside_a_read_batch_is_kept(memory) {
        memory.begin_read().unwrap();
        assert_eq!(memory.failure("a.en.md").unwrap(), None);
        memory.record_failure("a.en.md", "quota").unwrap();
        assert_eq!(memory.failure("a.en.md").unwrap().as_deref(), Some("quota"));
        memory.end_read().unwrap();
        assert_eq!(memory.failure("a.en.md").unwrap().as_deref(), Some("quota"));
    }

    a_moved_path_takes_its_records_along(memory) {
        memory.record_file("a.en.md", "v1", "s1", &["k".to_owned()]).unwrap();
        memory.record_failure("a.en.md", "held").unwrap();
        memory.move_path("a.en.md", "b.en.md").unwrap();
        assert_eq!(memory.written("a.en.md").unwrap(), None);
        assert_eq!(memory.written("b.en.md").unwrap().unwrap().content, "v1");
        assert_eq!(memory.reviews("b.en.md").unwrap(), vec!["k"]);
        assert_eq!(memory.failure("b.en.md").unwrap().as_deref(), Some("held"));
    }

    qa_warnings_are_replaced_in_order(memory) {
        let reasons = ["b first".to_owned(), "a second".to_owned()];
        memory.record_qa_warnings("a.en.md", &reasons).unwrap();
        assert_eq!(memory.qa_warnings("a.en.md").unwrap(), reasons);
        memory.record_qa_warnings("a.en.md", &[]).unwrap();
        assert!(memory.qa_warnings("a.en.md").unwrap().is_empty());
    }

    approval_round_trips_and_is_replaced(memory) {
        assert_eq!(memory.approval("content/a.en.md").unwrap(), None);
        let mut approval = Approval {
            path: "content/a.en.md".into(),
            verdict: Verdict::Approved,
            by: "Nguyễn Văn A".into(),
            at: "2026-11-30T10:00:00Z".into(),
            source_hash: "sha256:1".into(),
            translation_hash: "2".into(),
            reason: String::new(),
        };
        memory.record_approval(&approval).unwrap();
        assert_eq!(
            memory.approval("content/a.en.md").unwrap(),
            Some(approval.clone())
        );
        approval.verdict = Verdict::Rejected;
        approval.reason = "wrong name".into();
        memory.record_approval(&approval).unwrap();
        assert_eq!(memory.approval("content/a.en.md").unwrap(), Some(approval));
        assert_eq!(memory.approval_count().unwrap(), 1);
    }

    settling_a_file_clears_reviews_and_updates_an_unedited_record(memory) {
        memory.record_file("a.en.md", "v1", "s", &["k".to_owned()]).unwrap();
        memory.settle_file("a.en.md", &hash("v1"), "v1 approved").unwrap();
        assert!(memory.reviews("a.en.md").unwrap().is_empty());
        assert_eq!(memory.written("a.en.md").unwrap().unwrap().content, "v1 approved");
        // A record that is not what the reviewer saw on disk stays as it was.
        memory.settle_file("a.en.md", &hash("other"), "v2").unwrap();
        assert_eq!(memory.written("a.en.md").unwrap().unwrap().content, "v1 approved");
    }

    copying_to_another_memory_is_complete_and_idempotent(memory) {
        let (vi, en) = langs();
        memory
            .store_segments(&vi, &en, &[entry("A.", "a", Origin::Machine), entry("B.", "b", Origin::Human)])
            .unwrap();
        memory.store_human_unit(&vi, &en, "k", "Nguồn.", "One.").unwrap();
        memory.store_human_unit(&vi, &en, "k", "Nguồn.", "Two.").unwrap();
        memory.record_file("a.en.md", "v", "s", &["k".to_owned()]).unwrap();
        memory.record_qa_warnings("a.en.md", &["w".to_owned()]).unwrap();
        memory.record_written_source("a.en.md", "Nguồn.").unwrap();
        memory.mark_verdicts_recovered().unwrap();
        memory
            .record_proposals(&[Proposal {
                path: "a.en.md".into(),
                unit_key: "k".into(),
                old_source: "Cũ.".into(),
                new_source: "Mới.".into(),
                person: "Old.".into(),
                proposal: "New.".into(),
                in_file: true,
                created_at: "2026-11-30T10:00:00Z".into(),
            }])
            .unwrap();
        let mut copy = Memory::in_memory().unwrap();
        let mut copied = 0;
        let counts = memory
            .copy_to(&mut copy, &mut |event| {
                if let CopyEvent::Copied(n) = event {
                    copied += n;
                }
            })
            .unwrap();
        let added: u64 = counts.iter().map(|c| c.added).sum();
        // 2 segments, 1 unit, 1 history row, 1 file, 1 review, 1 warning, 1 proposal,
        // 1 review flag, 1 written source and its text.
        assert_eq!(added, 11, "{counts:?}");
        assert_eq!(copied, 11);
        assert!(copy.proposals("a.en.md").unwrap()[0].in_file);
        assert!(copy.verdicts_recovered().unwrap());
        assert_eq!(copy.written_source("a.en.md").unwrap().as_deref(), Some("Nguồn."));
        assert_eq!(copy.segment(&vi, &en, "B.").unwrap().unwrap().origin, Origin::Human);
        assert_eq!(copy.human_unit(&vi, &en, "k").unwrap().as_deref(), Some("Two."));
        assert_eq!(copy.unit_history(&vi, &en, "k").unwrap(), vec!["One."]);
        assert_eq!(copy.written("a.en.md").unwrap().unwrap().content, "v");
        assert_eq!(copy.reviews("a.en.md").unwrap(), vec!["k"]);
        let again = memory.copy_to(&mut copy, &mut |_| {}).unwrap();
        assert_eq!(again.iter().map(|c| c.added).sum::<u64>(), 0, "{again:?}");
        // And back: nothing is new to the memory it came from.
        let back = copy.copy_to(&mut memory, &mut |_| {}).unwrap();
        assert_eq!(back.iter().map(|c| c.added).sum::<u64>(), 0, "{back:?}");
    }

    // Issue 10, item 14: a file of megabytes and its source are written in place
    // (SQLite), read back, copied, settled and replaced like any other.
    a_long_written_file_and_its_source_round_trip(memory) {
        let long = long_text("Một đoạn rất dài, ");
        let source = long_text("Nguồn rất dài, ");
        memory.record_file("a.en.md", &long, "s", &["k".to_owned()]).unwrap();
        memory.record_written_source("a.en.md", &source).unwrap();
        memory.record_written_source("a.ko.md", &source).unwrap();
        let written = memory.written("a.en.md").unwrap().unwrap();
        assert!(written.content == long, "the long file read back differs");
        assert_eq!(written.hash, hash(&long));
        assert!(memory.written_source("a.ko.md").unwrap() == Some(source.clone()));
        let mut copy = Memory::in_memory().unwrap();
        memory.copy_to(&mut copy, &mut |_| {}).unwrap();
        assert!(copy.written("a.en.md").unwrap().unwrap().content == long);
        assert!(copy.written_source("a.en.md").unwrap() == Some(source));
        // A person's edit settled, then a short file written over the long one.
        memory.settle_file("a.en.md", &hash(&long), "edited").unwrap();
        assert_eq!(memory.written("a.en.md").unwrap().unwrap().content, "edited");
        memory.record_file("a.en.md", &long, "s", &[]).unwrap();
        memory.record_file("a.en.md", "short", "s", &[]).unwrap();
        assert_eq!(memory.written("a.en.md").unwrap().unwrap().content, "short");
    }

    stat_records_round_trip_are_replaced_and_move_with_their_file(memory) {
        let record = |size: u64| FileRecord {
            size,
            mtime_ns: 1_700_000_000_123_456_789,
            file_id: u64::MAX - 1,
            checked_ns: 1_700_000_005_000_000_000,
            content_hash: "c".into(),
            stamp: "s".into(),
            source_hash: "sha256:x".into(),
            text_hash: "t".into(),
            keys: "k1 k2".into(),
            facts: r#"{"title":"T"}"#.into(),
        };
        assert_eq!(memory.file_record("a.en.md").unwrap(), None);
        memory.record_file_stats(&[("a.en.md".into(), record(10))]).unwrap();
        assert_eq!(memory.file_record("a.en.md").unwrap(), Some(record(10)));
        memory.record_file_stats(&[("a.en.md".into(), record(11))]).unwrap();
        assert_eq!(memory.file_record("a.en.md").unwrap(), Some(record(11)));
        memory.move_path("a.en.md", "a.en-US.md").unwrap();
        assert_eq!(memory.file_record("a.en.md").unwrap(), None);
        assert_eq!(memory.file_record("a.en-US.md").unwrap(), Some(record(11)));
        memory.record_file("b.en.md", "v", "s", &[]).unwrap();
        assert_eq!(memory.written_hash("b.en.md").unwrap(), Some(hash("v")));
    }

    proposals_are_kept_until_settled(memory) {
        let proposal = |key: &str| Proposal {
            path: "content/a.en.md".into(),
            unit_key: key.into(),
            old_source: "Câu một.".into(),
            new_source: "Câu hai.".into(),
            person: "Sentence one.".into(),
            proposal: "Sentence two.".into(),
            in_file: key == "k2",
            created_at: "2026-11-30T10:00:00Z".into(),
        };
        memory.record_proposals(&[proposal("k1"), proposal("k2")]).unwrap();
        assert_eq!(memory.proposals("content/a.en.md").unwrap().len(), 2);
        assert!(memory.proposals("content/a.ko.md").unwrap().is_empty());
        memory.settle_proposals("content/a.en.md", Some("k1")).unwrap();
        assert_eq!(memory.proposals("content/a.en.md").unwrap(), vec![proposal("k2")]);
        memory.settle_proposals("content/a.en.md", None).unwrap();
        assert!(memory.proposals("content/a.en.md").unwrap().is_empty());
    }

    review_bookkeeping_is_remembered(memory) {
        assert!(!memory.verdicts_recovered().unwrap());
        memory.mark_verdicts_recovered().unwrap();
        assert!(memory.verdicts_recovered().unwrap());
        assert_eq!(memory.written_source("a.en.md").unwrap(), None);
        memory.record_written_source("a.en.md", "Nguồn.").unwrap();
        memory.record_written_source("a.en.md", "Nguồn mới.").unwrap();
        assert_eq!(memory.written_source("a.en.md").unwrap().as_deref(), Some("Nguồn mới."));
    }

    a_written_source_is_stored_once_for_all_its_translations(memory) {
        let texts = |memory: &Memory| memory.store.dump("source_texts").unwrap().len();
        for path in ["a.en.md", "a.ko.md", "a.zh-Hans.md"] {
            memory.record_written_source(path, "Nguồn.").unwrap();
        }
        assert_eq!(texts(&memory), 1, "one text for three translations");
        // The English file is written again from a new source: both texts are kept,
        // each for the files written from it.
        memory.record_written_source("a.en.md", "Nguồn mới.").unwrap();
        assert_eq!(texts(&memory), 2);
        assert_eq!(memory.written_source("a.en.md").unwrap().as_deref(), Some("Nguồn mới."));
        assert_eq!(memory.written_source("a.ko.md").unwrap().as_deref(), Some("Nguồn."));
        // Once no file was written from the old text, it is gone.
        memory.record_written_source("a.ko.md", "Nguồn mới.").unwrap();
        memory.record_written_source("a.zh-Hans.md", "Nguồn mới.").unwrap();
        assert_eq!(texts(&memory), 1);
        assert_eq!(memory.written_source("a.zh-Hans.md").unwrap().as_deref(), Some("Nguồn mới."));
        // A move over another file's record drops a text nobody uses any more.
        memory.record_written_source("b.en.md", "Khác.").unwrap();
        memory.move_path("a.en.md", "b.en.md").unwrap();
        assert_eq!(memory.written_source("b.en.md").unwrap().as_deref(), Some("Nguồn mới."));
        assert_eq!(memory.written_source("a.en.md").unwrap(), None);
        assert_eq!(texts(&memory), 1);
    }

    a_retired_human_unit_goes_to_the_history(memory) {
        let (vi, en) = langs();
        memory.store_human_unit(&vi, &en, "k", "Nguồn.", "Edit.").unwrap();
        memory.store_human_unit(&vi, &en, "k", "Nguồn.", "Edit 2.").unwrap();
        assert_eq!(
            memory.human_unit_source(&vi, &en, "k").unwrap().as_deref(),
            Some("Nguồn.")
        );
        let history = memory.human_history(&vi, &en).unwrap();
        let texts: Vec<(&str, bool)> =
            history.iter().map(|u| (u.translation.as_str(), u.current)).collect();
        assert_eq!(texts, [("Edit.", false), ("Edit 2.", true)]);
        memory.retire_human_unit(&vi, &en, "k").unwrap();
        assert_eq!(memory.human_unit(&vi, &en, "k").unwrap(), None);
        assert_eq!(memory.unit_history(&vi, &en, "k").unwrap(), vec!["Edit.", "Edit 2."]);
    }
}

/// A text of a few megabytes, longer than what the memory binds whole.
fn long_text(piece: &str) -> String {
    piece.repeat((3 << 20) / piece.len())
}

#[test]
fn a_long_written_file_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let long = long_text("Một đoạn rất dài, ");
    {
        let mut memory = Memory::open(&path).unwrap();
        memory.record_file("a.en.md", &long, "s", &[]).unwrap();
        memory.record_written_source("a.en.md", &long).unwrap();
    }
    let memory = Memory::open(&path).unwrap();
    assert!(memory.written("a.en.md").unwrap().unwrap().content == long);
    assert!(memory.written_source("a.en.md").unwrap() == Some(long));
}

/// A long text replacing a long one is recorded after the old one is deleted in a
/// transaction of its own (SQLite kept the old one's pages in memory otherwise): the
/// writes before it in the group are committed with that deletion, those after it stay
/// in the group, and a crash loses the group as ever, and the old record.
#[test]
fn a_long_file_replacing_a_long_one_keeps_the_group_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let (vi, en) = langs();
    let (old, new) = (long_text("Bản cũ, "), long_text("Bản mới, "));
    let store = |memory: &mut Memory, source: &str| {
        let entries = [entry(source, "x", Origin::Machine)];
        memory.store_segments(&vi, &en, &entries).unwrap();
    };
    {
        let mut memory = Memory::open(&path).unwrap();
        memory.record_file("a.en.md", &old, "s", &[]).unwrap();
        memory.begin_group().unwrap();
        store(&mut memory, "Before.");
        memory.record_file("a.en.md", &new, "s", &[]).unwrap();
        store(&mut memory, "After.");
        memory.commit_group().unwrap();
        assert!(memory.written("a.en.md").unwrap().unwrap().content == new);
        memory.begin_group().unwrap();
        store(&mut memory, "Crashed before.");
        memory.record_file("a.en.md", &old, "s", &[]).unwrap();
        store(&mut memory, "Crashed after.");
        // Dropped with the group open: a crash.
    }
    let memory = Memory::open(&path).unwrap();
    for (source, kept) in [
        ("Before.", true),
        ("After.", true),
        ("Crashed before.", true),
        ("Crashed after.", false),
    ] {
        assert_eq!(
            memory.segment(&vi, &en, source).unwrap().is_some(),
            kept,
            "{source}"
        );
    }
    // The record replaced in the crashed group is gone, not half written.
    assert!(memory.written("a.en.md").unwrap().is_none());
}

#[test]
fn file_store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let (vi, en) = langs();
    {
        let mut memory = Memory::open(&path).unwrap();
        memory
            .store_segments(&vi, &en, &[entry("B.", "b", Origin::Machine)])
            .unwrap();
        memory
            .record_file("content/x.en.md", "text", "sha256:1", &[])
            .unwrap();
    }
    let memory = Memory::open(&path).unwrap();
    assert_eq!(memory.segment_count().unwrap(), 1);
    let written = memory.written("content/x.en.md").unwrap().unwrap();
    assert_eq!(written.hash, hash("text"));
}

/// Issue 15: a group commits its writes together; a crash before the commit (the
/// memory dropped with the group open) loses that group and nothing committed before.
#[test]
fn a_group_is_committed_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let (vi, en) = langs();
    {
        let mut memory = Memory::open(&path).unwrap();
        memory.begin_group().unwrap();
        memory
            .store_segments(&vi, &en, &[entry("A.", "a", Origin::Machine)])
            .unwrap();
        memory.record_file("a.en.md", "a", "s", &[]).unwrap();
        // Seen inside the group before it commits: rendering reads what was stored.
        assert!(memory.segment(&vi, &en, "A.").unwrap().is_some());
        memory.commit_group().unwrap();
        memory.begin_group().unwrap();
        memory
            .store_segments(&vi, &en, &[entry("B.", "b", Origin::Machine)])
            .unwrap();
    }
    let memory = Memory::open(&path).unwrap();
    assert_eq!(memory.segment_count().unwrap(), 1);
    assert!(memory.segment(&vi, &en, "A.").unwrap().is_some());
    assert!(memory.written("a.en.md").unwrap().is_some());
}

/// Another process may still write while a run holds a group open: it waits for the
/// commit instead of failing (the busy timeout), and finds its write kept.
#[test]
fn a_group_lets_another_writer_in_after_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let (vi, en) = langs();
    let mut memory = Memory::open(&path).unwrap();
    memory.begin_group().unwrap();
    memory
        .store_segments(&vi, &en, &[entry("A.", "a", Origin::Machine)])
        .unwrap();
    let other_path = path.clone();
    let other = std::thread::spawn(move || {
        let mut other = Memory::open(&other_path).unwrap();
        let (vi, en) = langs();
        other
            .store_segments(&vi, &en, &[entry("B.", "b", Origin::Human)])
            .unwrap();
    });
    std::thread::sleep(Duration::from_millis(100));
    // The other writer is still waiting while the group is open.
    assert!(
        !other.is_finished(),
        "another writer got in during the group"
    );
    memory.commit_group().unwrap();
    other.join().unwrap();
    assert_eq!(memory.segment_count().unwrap(), 2);
}

#[test]
fn sqlite_grants_every_claim() {
    let (vi, en) = langs();
    let mut memory = Memory::in_memory().unwrap();
    assert!(!memory.is_shared());
    assert_eq!(
        memory.claim(&vi, &en, &["A.", "B."]).unwrap(),
        vec!["A.", "B."]
    );
}

mod postgres_only;

#[test]
fn a_write_ends_a_read_batch_and_is_committed_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let mut memory = Memory::open(&path).unwrap();
    memory.begin_read().unwrap();
    // Twice is the same batch, not an error.
    memory.begin_read().unwrap();
    assert_eq!(memory.failure("a.en.md").unwrap(), None);
    memory.record_failure("a.en.md", "quota").unwrap();
    assert_eq!(memory.failure("a.en.md").unwrap().as_deref(), Some("quota"));
    // Another process sees the write before the batch is ended: nothing was held back.
    let other = Memory::open(&path).unwrap();
    assert_eq!(other.failure("a.en.md").unwrap().as_deref(), Some("quota"));
    memory.end_read().unwrap();
    memory.end_read().unwrap();
}

#[test]
fn a_read_batch_sees_the_memory_as_it_was_and_the_next_one_sees_the_news() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let mut memory = Memory::open(&path).unwrap();
    let mut other = Memory::open(&path).unwrap();
    memory.begin_read().unwrap();
    assert_eq!(memory.failure("a.en.md").unwrap(), None);
    other.record_failure("a.en.md", "quota").unwrap();
    // One snapshot for the batch (the point: one lock for all its reads).
    assert_eq!(memory.failure("a.en.md").unwrap(), None);
    memory.end_read().unwrap();
    assert_eq!(memory.failure("a.en.md").unwrap().as_deref(), Some("quota"));
}

#[test]
fn a_read_batch_inside_a_group_neither_commits_nor_splits_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dich/memory.db");
    let mut memory = Memory::open(&path).unwrap();
    let other = Memory::open(&path).unwrap();
    memory.begin_group().unwrap();
    // The run loop plans a source (a read batch) while a group is open.
    memory.begin_read().unwrap();
    memory.record_failure("a.en.md", "quota").unwrap();
    memory.end_read().unwrap();
    memory.record_failure("b.en.md", "quota").unwrap();
    // Nothing of the group is visible before its commit: a read batch's end is not it.
    assert_eq!(other.failure("a.en.md").unwrap(), None);
    assert_eq!(other.failure("b.en.md").unwrap(), None);
    memory.commit_group().unwrap();
    assert_eq!(other.failure("a.en.md").unwrap().as_deref(), Some("quota"));
    assert_eq!(other.failure("b.en.md").unwrap().as_deref(), Some("quota"));
}

#[test]
fn a_text_hashed_in_parts_has_the_hash_of_the_whole() {
    assert_eq!(
        super::hash_parts(&["Bài", "\u{1f}", "viết"]),
        super::hash("Bài\u{1f}viết")
    );
    assert_eq!(super::hash_parts(&[]), super::hash(""));
}

#[test]
fn a_content_hashed_in_pieces_has_the_hash_of_the_whole() {
    // Longer than the reader's buffer, so that it takes several reads.
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        super::hash_reader(&bytes[..]).unwrap(),
        super::hash_bytes(&bytes)
    );
}
