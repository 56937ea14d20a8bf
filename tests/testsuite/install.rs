//! What installing without a toolchain needs from the binary: shell completions, a
//! man page, and language tags checked against the IANA registry (issue 14).

use crate::support::Project;

#[test]
fn completions_are_printed_for_each_shell() {
    let project = Project::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef dich"),
        ("fish", "complete -c dich"),
    ] {
        let out = project.run(&["completions", shell]).expect_code(0).stdout();
        assert!(out.contains(marker), "{shell}: {out}");
        for command in ["translate", "status", "check"] {
            assert!(out.contains(command), "{shell} lacks {command}");
        }
    }
    project.run(&["completions", "tcsh"]).expect_code(2);
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let out = Project::new().run(&["man"]).expect_code(0).stdout();
    assert!(out.starts_with(".ie") || out.contains(".TH dich"), "{out}");
    assert!(
        out.contains(".SH NAME") || out.contains(".SH \"NAME\""),
        "{out}"
    );
    for command in ["translate", "status", "check", "completions"] {
        assert!(out.contains(command), "man lacks {command}");
    }
}

#[test]
fn a_country_code_or_a_name_as_target_is_refused_with_the_likely_tag() {
    for (wrong, meant) in [
        ("kr", "ko"),
        ("english", "en"),
        ("cn", "zh-Hans"),
        ("jp", "ja"),
    ] {
        let config = format!("[project]\nsource = \"vi\"\ntargets = [\"{wrong}\"]\n");
        let run = Project::with_config(&config)
            .run(&["status"])
            .expect_code(2);
        let err = run.stderr();
        assert!(
            err.contains(&format!("did you mean `{meant}`")),
            "{wrong}: {err}"
        );
    }
}

#[test]
fn regional_chinese_is_accepted_with_advice() {
    let config = "[project]\nsource = \"vi\"\ntargets = [\"zh-CN\"]\n";
    let run = Project::with_config(config).run(&["status"]).expect_code(0);
    assert!(
        run.stderr().contains("`zh-Hans` is the usual target"),
        "{}",
        run.stderr()
    );
}
