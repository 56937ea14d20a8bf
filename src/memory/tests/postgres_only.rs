//! What only the shared store does: claims between processes, sharing between
//! repositories, per-checkout records, schema versions, TLS.

use super::*;

fn connect(url: &str, repository: &str, share: Share) -> Memory {
    Memory::connect(&shared(url, repository, share)).unwrap()
}

#[test]
fn a_claimed_segment_is_not_claimed_by_another_process_until_released_or_expired() {
    let Some((mut a, url)) = postgres_memory("postgres_only::claims") else {
        return;
    };
    let (vi, en) = langs();
    let mut b = connect(&url, "portal-a", Share::HumanOnly);
    assert!(a.is_shared());
    assert_eq!(a.claim(&vi, &en, &["X.", "Y."]).unwrap(), vec!["X.", "Y."]);
    // Claiming again is renewing: the holder keeps what it holds.
    assert_eq!(a.claim(&vi, &en, &["X."]).unwrap(), vec!["X."]);
    assert_eq!(b.claim(&vi, &en, &["X.", "Y.", "Z."]).unwrap(), vec!["Z."]);
    // Storing releases the claim, and a translated segment is not claimed again.
    a.store_segments(&vi, &en, &[entry("X.", "x", Origin::Machine)])
        .unwrap();
    assert!(b.claim(&vi, &en, &["X."]).unwrap().is_empty());
    assert_eq!(b.segment(&vi, &en, "X.").unwrap().unwrap().translation, "x");
    // A process that ends releases what it still holds.
    drop(a);
    assert_eq!(b.claim(&vi, &en, &["Y."]).unwrap(), vec!["Y."]);
}

#[test]
fn an_expired_claim_is_taken_over() {
    let Some((mut holder, url)) = postgres_memory("postgres_only::takeover") else {
        return;
    };
    let (vi, en) = langs();
    let mut dying = Shared {
        lease: Duration::from_millis(1),
        ..shared(&url, "portal-a", Share::HumanOnly)
    };
    dying.workspace = "dying".into();
    let mut dying = Memory::connect(&dying).unwrap();
    assert_eq!(dying.claim(&vi, &en, &["W."]).unwrap(), vec!["W."]);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(holder.claim(&vi, &en, &["W."]).unwrap(), vec!["W."]);
    // Renewing keeps a live holder's claim.
    holder.renew_claims().unwrap();
    assert!(dying.claim(&vi, &en, &["W."]).unwrap().is_empty());
    // The process that lost its claim and still stores its answer does no harm.
    dying
        .store_segments(&vi, &en, &[entry("W.", "w", Origin::Machine)])
        .unwrap();
    assert_eq!(
        holder.segment(&vi, &en, "W.").unwrap().unwrap().translation,
        "w"
    );
}

/// Two clones translating the same articles: one holds segments and renews or releases
/// them while the other claims the same segments in another order (its articles'
/// order). Each statement locks the rows it meets; taken in different orders, the two
/// used to wait for each other until PostgreSQL broke the deadlock by failing one,
/// and the run failed with it.
#[test]
fn claims_racing_renewals_and_releases_end_without_an_error() {
    let Some((mut holder, url)) = postgres_memory("postgres_only::lock_order") else {
        return;
    };
    let (vi, en) = langs();
    let keys: Vec<String> = (0..400).map(|i| format!("Câu số {i}.")).collect();
    let texts: Vec<&str> = keys.iter().map(String::as_str).collect();
    // Claimed article by article: the rows lie in the table in another order than
    // the claims' (sorted) one.
    for article in texts.chunks(25) {
        assert_eq!(
            holder.claim(&vi, &en, article).unwrap().len(),
            article.len()
        );
    }
    let connected = std::sync::Arc::new(std::sync::Barrier::new(2));
    let other = std::thread::spawn({
        let (vi, en, keys) = (vi.clone(), en.clone(), keys.clone());
        let connected = std::sync::Arc::clone(&connected);
        move || -> Result<(), MemoryError> {
            let mut other = connect(&url, "portal-a", Share::HumanOnly);
            connected.wait();
            let mut texts: Vec<&str> = keys.iter().map(String::as_str).collect();
            for round in 0..30 {
                if round % 2 == 0 {
                    texts.reverse();
                } else {
                    texts.rotate_left(keys.len() / 3);
                }
                let claimed = other.claim(&vi, &en, &texts)?;
                assert!(claimed.is_empty(), "took {} held segments", claimed.len());
            }
            Ok(())
        }
    });
    connected.wait();
    while !other.is_finished() {
        holder.renew_claims().unwrap();
    }
    // Storing releases the claims in the same transaction.
    let stored: Vec<_> = texts
        .iter()
        .map(|text| entry(text, "đã dịch", Origin::Machine))
        .collect();
    holder.store_segments(&vi, &en, &stored).unwrap();
    other.join().expect("the other process").unwrap();
}

#[test]
fn other_repositories_see_what_share_allows_and_people_outrank_machines() {
    let Some((mut a, url)) = postgres_memory("postgres_only::share") else {
        return;
    };
    let (vi, en) = langs();
    a.store_segments(
        &vi,
        &en,
        &[
            entry("Máy.", "machine of a", Origin::Machine),
            entry("Người.", "human of a", Origin::Human),
        ],
    )
    .unwrap();
    a.store_human_unit(&vi, &en, "unit", "Nguồn.", "edited in a")
        .unwrap();
    let human_only = connect(&url, "portal-b", Share::HumanOnly);
    assert_eq!(human_only.segment(&vi, &en, "Máy.").unwrap(), None);
    assert_eq!(
        human_only
            .segment(&vi, &en, "Người.")
            .unwrap()
            .unwrap()
            .translation,
        "human of a"
    );
    assert_eq!(
        human_only.human_unit(&vi, &en, "unit").unwrap().as_deref(),
        Some("edited in a")
    );
    let all = connect(&url, "portal-b", Share::All);
    assert_eq!(
        all.segment(&vi, &en, "Máy.").unwrap().unwrap().translation,
        "machine of a"
    );
    let none = connect(&url, "portal-b", Share::None);
    assert_eq!(none.segment(&vi, &en, "Người.").unwrap(), None);
    assert_eq!(none.human_unit(&vi, &en, "unit").unwrap(), None);
    assert_eq!(none.segment_count().unwrap(), 0);
    // Read at once, under the same rules.
    let texts = ["Máy.", "Người."];
    for (memory, expected) in [
        (&human_only, [None, Some("human of a")]),
        (&all, [Some("machine of a"), Some("human of a")]),
        (&none, [None, None]),
    ] {
        let found = memory.segments(&vi, &en, &texts).unwrap();
        assert_eq!(translations(&found), expected);
    }
    // b's own machine answer, and then a's human one outranks it in b.
    let mut b = connect(&url, "portal-b", Share::HumanOnly);
    b.store_segments(
        &vi,
        &en,
        &[entry("Người.", "machine of b", Origin::Machine)],
    )
    .unwrap();
    assert_eq!(
        b.segment(&vi, &en, "Người.").unwrap().unwrap().translation,
        "human of a"
    );
}

#[test]
fn what_was_written_is_kept_per_checkout() {
    let Some((mut first, url)) = postgres_memory("postgres_only::workspaces") else {
        return;
    };
    let second = connect(&url, "portal-a", Share::HumanOnly);
    first.record_file("a.en.md", "v", "s", &[]).unwrap();
    assert!(first.written("a.en.md").unwrap().is_some());
    assert_eq!(second.written("a.en.md").unwrap(), None);
}

#[test]
fn a_newer_schema_is_refused() {
    let Some((memory, url)) = postgres_memory("postgres_only::too_new") else {
        return;
    };
    drop(memory);
    let bump = url.clone();
    std::thread::spawn(move || {
        let mut client = ::postgres::Client::connect(&bump, ::postgres::NoTls).unwrap();
        client
            .batch_execute("UPDATE dich_schema SET version = 99")
            .unwrap();
    })
    .join()
    .unwrap();
    let error = Memory::connect(&shared(&url, "portal-a", Share::HumanOnly)).unwrap_err();
    assert!(
        matches!(error, MemoryError::TooNew { found: 99, .. }),
        "{error}"
    );
}

#[test]
fn sslmode_require_insists_on_tls() {
    // The test server speaks no TLS: a URL that asks for it must not fall back.
    let Some((_memory, url)) = postgres_memory("postgres_only::tls") else {
        return;
    };
    let url = format!("{url}&sslmode=require");
    let error = Memory::connect(&shared(&url, "portal-a", Share::HumanOnly)).unwrap_err();
    assert!(matches!(error, MemoryError::Postgres { .. }), "{error}");
}
