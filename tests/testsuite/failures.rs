//! One bad segment fails its article alone; a fallback backend fills in (issue 4),
//! through the `command` backend and a tiny script.

use crate::support::{CONFIG, Project};

/// Translates every segment to `EN:<text>`, except those containing "lỗi", which
/// come back empty (a quality failure).
const SCRIPT: &str = r#"import json, sys
for line in sys.stdin:
    request = json.loads(line)
    out = ["" if "lỗi" in s["text"] else "EN:" + s["text"] for s in request["segments"]]
    print(json.dumps({"translations": out}), flush=True)
"#;

fn project(fallback: bool) -> Project {
    let mut config = CONFIG.replace("[\"en\", \"ko\", \"zh-Hans\"]", "[\"en\"]");
    // The QA gate is off: `EN:<source>` is a marker, not a translation (QA would hold
    // it); tests/testsuite/qa.rs tests the gate.
    config.push_str("[qa]\nenabled = false\n\n");
    config.push_str("[backend]\nkind = \"command\"\ncommand = [\"python3\", \"mt.py\"]\n");
    if fallback {
        config.push_str("fallback = [\"backup\"]\n\n[backends.backup]\nkind = \"pseudo\"\n");
    }
    let project = Project::with_config(&config);
    project.write("mt.py", SCRIPT);
    project.write("content/tot.md", "Bài viết tốt. Mọi thứ đều ổn.\n");
    project.write("content/hong.md", "Bài viết này có lỗi. Câu thứ hai.\n");
    project
}

#[test]
fn a_failing_segment_fails_its_article_alone() {
    let project = project(false);
    let run = project.run(&["translate", "--json"]).expect_code(1);
    let summary = run.json();
    assert_eq!(summary["failed"], 1, "{summary}");
    let failure = &summary["failures"][0];
    assert_eq!(failure["path"], "content/hong.md", "{summary}");
    assert!(
        failure["message"]
            .as_str()
            .unwrap_or_default()
            .contains("empty"),
        "{summary}"
    );
    assert!(
        project
            .read("content/tot.en.md")
            .contains("EN:Bài viết tốt.")
    );
    assert!(
        !project.path("content/hong.en.md").exists(),
        "never half-translated"
    );
    // The good segments of the failed article were kept: only the bad one is re-sent.
    let again = project.run(&["translate", "--json"]).expect_code(1).json();
    assert_eq!(again["segments_sent"], 1, "{again}");
}

#[test]
fn the_fallback_backend_fills_in_and_provenance_says_so() {
    let project = project(true);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    let english = project.read("content/hong.en.md");
    assert!(english.contains("EN:Câu thứ hai."), "{english}");
    assert!(
        english.contains("[en] Bai viet nay co loi."),
        "pseudo filled in: {english}"
    );
    assert!(
        english.contains("command") && english.contains("pseudo"),
        "{english}"
    );
}

/// Issue 10: a recorded failure hid `missing`, and `failed` itself passed the CI gate.
#[test]
fn status_check_fails_after_a_failed_translation() {
    let project = project(false);
    project.run(&["translate"]).expect_code(1);
    let run = project.run(&["status", "--check", "--json"]).expect_code(1);
    let status = run.json();
    let failed = crate::support::entry(&status["articles"], "source", "content/hong.md");
    assert_eq!(failed["state"], "failed", "{status}");
    assert!(
        failed["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("no translation yet"),
        "the missing file is still said: {status}"
    );
}

/// Issue 10: a primary whose circuit opens is retired once and the fallback translates
/// the rest; the summary says so.
#[test]
fn an_unreachable_primary_hands_over_to_the_fallback() {
    let config = format!(
        "{}[backend]\nkind = \"deepl\"\nbase_url = \"http://127.0.0.1:9\"\napi_key_env = \"DICH_TEST_DEEPL_KEY\"\nmax_retries = 0\ncircuit_breaker_failures = 1\nfallback = [\"backup\"]\n\n[backends.backup]\nkind = \"pseudo\"\n",
        CONFIG.replace("[\"en\", \"ko\", \"zh-Hans\"]", "[\"en\"]")
    );
    let project = Project::with_config(&config);
    project.write("content/a.md", "Bài một.\n");
    project.write("content/b.md", "Bài hai.\n");
    let run = project.run(&["translate", "--json"]).expect_code(0);
    let summary = run.json();
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["files_written"], 2, "{summary}");
    let handovers = summary["handovers"].as_array().unwrap();
    assert_eq!(handovers.len(), 1, "{summary}");
    assert_eq!(handovers[0]["backend"], "deepl", "{summary}");
    assert!(project.read("content/b.en.md").contains("[en]"));
}
