//! Configuration errors: exit code 2, file, line, column and what to do.

use crate::support::Project;

#[test]
fn missing_config_names_the_path_and_exits_2() {
    let project = Project::new();
    let run = project
        .run(&["translate", "--config", "nope/config.toml"])
        .expect_code(2);
    assert!(
        run.stderr().contains("nope/config.toml"),
        "{}",
        run.stderr()
    );
}

#[test]
fn invalid_target_is_located_and_exits_2() {
    let project =
        Project::with_config("[project]\nsource = \"vi\"\ntargets = [\"en\", \"not a tag\"]\n");
    let run = project.run(&["translate"]).expect_code(2);
    assert!(
        run.stderr().contains("config.toml:3:18"),
        "{}",
        run.stderr()
    );
}

#[test]
fn unknown_key_is_rejected() {
    let project = Project::with_config(&format!(
        "{}[backend]\nkind = \"pseudo\"\nconcurrancy = 2\n",
        crate::support::CONFIG
    ));
    let run = project.run(&["translate"]).expect_code(2);
    assert!(run.stderr().contains("concurrancy"), "{}", run.stderr());
    assert!(run.stderr().contains("config.toml:6:1"), "{}", run.stderr());
}

#[test]
fn unknown_backend_lists_valid_kinds() {
    let project = Project::with_config(&format!(
        "{}[backend]\nkind = \"babelfish\"\n",
        crate::support::CONFIG
    ));
    let run = project.run(&["translate"]).expect_code(2);
    assert!(
        run.stderr().contains("valid kinds are: pseudo"),
        "{}",
        run.stderr()
    );
}

#[test]
fn unknown_lang_flag_is_a_usage_error() {
    let project = Project::new();
    let run = project.run(&["translate", "--lang", "ja"]).expect_code(2);
    assert!(
        run.stderr().contains("`ja` is not a target language"),
        "{}",
        run.stderr()
    );
}

#[test]
fn check_and_translate_locate_an_option_the_backend_does_not_take() {
    // `model` belongs to `openai`: a `deepl` table must not take it silently.
    let project = Project::with_config(&format!(
        "{}[backend]\nkind = \"deepl\"\nmodel = \"gpt-4o-mini\"\n",
        crate::support::CONFIG
    ));
    for command in ["check", "translate"] {
        let run = project.run(&[command]).expect_code(2);
        assert!(
            run.stderr().contains("config.toml:6:1") && run.stderr().contains("`model`"),
            "{command}: {}",
            run.stderr()
        );
    }
}

#[test]
fn check_and_status_list_valid_kinds_for_an_unknown_one() {
    let project = Project::with_config(&format!(
        "{}[backends.spare]\nkind = \"babelfish\"\n",
        crate::support::CONFIG
    ));
    let run = project.run(&["check"]).expect_code(2);
    assert!(
        run.stderr().contains("config.toml:5:8")
            && run.stderr().contains("valid kinds are: pseudo"),
        "{}",
        run.stderr()
    );
}

/// Issue 10, item 2: a misspelt folder made `translate` report "0 articles" and
/// `status --check` pass. A folder the config names must exist; the error points at
/// the key.
#[test]
fn a_configured_folder_that_does_not_exist_is_a_config_error_at_its_key() {
    for (key, line) in [("content_dir", "contnet"), ("locales_dir", "locals")] {
        let project =
            Project::with_config(&format!("{}{key} = \"{line}\"\n", crate::support::CONFIG));
        for command in [&["translate"][..], &["status", "--check"], &["check"]] {
            let run = project.run(command).expect_code(2);
            assert!(
                run.stderr().contains("config.toml:4:1") && run.stderr().contains(line),
                "{command:?} {key}: {}",
                run.stderr()
            );
        }
    }
}

/// The default folders may be absent: a project of UI strings only has no `content/`.
/// (`dich check` still reports a missing locales folder as its own finding, exit 1.)
#[test]
fn absent_default_folders_are_allowed() {
    let project = Project::new();
    project.run(&["status", "--check"]).expect_code(0);
    project.run(&["translate"]).expect_code(0);
}
