//! A throw-away project in a temp dir, and a chaining way to run `dich` in it.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The API key the tests put in the environment; it must never be printed.
pub(crate) const TEST_KEY: &str = "test-key-4f1c9e77-do-not-print";

/// The sample configuration of the repository, with the pseudo backend.
pub(crate) const CONFIG: &str =
    "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\", \"zh-Hans\"]\n";

/// A temporary project folder; deleted when dropped.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// An empty project with the default config.
    pub(crate) fn new() -> Self {
        Project::with_config(CONFIG)
    }

    /// An empty project with `config` as its config.toml.
    pub(crate) fn with_config(config: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = Project { dir };
        project.write("config.toml", config);
        project
    }

    /// A copy of the repository's own sample project (config, content, locales).
    pub(crate) fn sample() -> Self {
        let project = Project::new();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for folder in ["content", "locales"] {
            copy_dir(&repo.join(folder), &project.path(folder));
        }
        let config = std::fs::read_to_string(repo.join("config.toml")).expect("config.toml");
        project.write("config.toml", &config);
        project
    }

    /// The absolute path of `rel` inside the project.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating folders).
    pub(crate) fn write(&self, rel: &str, contents: &str) -> &Self {
        self.write_bytes(rel, contents.as_bytes())
    }

    /// Writes raw bytes (creating folders).
    pub(crate) fn write_bytes(&self, rel: &str, contents: &[u8]) -> &Self {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, contents).expect("write");
        self
    }

    /// Reads a file of the project.
    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Runs `dich ARGS` in the project folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("run dich");
        Run { output }
    }

    /// `dich ARGS` in the project folder, not yet started, with the test DeepL key.
    pub(crate) fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("dich"));
        command
            .current_dir(self.dir.path())
            .env_remove("DICH_LOG")
            .env("DICH_TEST_DEEPL_KEY", TEST_KEY)
            .args(args);
        command
    }

    /// Every translated file (`*.<lang>.md`) under content/, with its text, sorted;
    /// the time stamp of the provenance is blanked so runs can be compared.
    pub(crate) fn translations(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let root = self.path("content");
        for entry in walk(&root) {
            let name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.ends_with(".md") && name.matches('.').count() > 1 {
                let text = std::fs::read_to_string(&entry).expect("read");
                let text: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("translated_at"))
                    .collect();
                let rel = entry
                    .strip_prefix(&root)
                    .unwrap_or(&entry)
                    .display()
                    .to_string();
                out.push((rel, text.join("\n")));
            }
        }
        out.sort();
        out
    }

    /// The `dich status` state of the translation at `path` (empty when not listed).
    pub(crate) fn state_of(&self, path: &str) -> String {
        let status = self.run(&["status", "--json"]).expect_code(0).json();
        status["articles"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["path"] == path))
            .map(|e| e["state"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    }

    /// Runs `dich translate --json` and parses the summary.
    pub(crate) fn translate_json(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["translate", "--json"];
        args.extend_from_slice(extra);
        self.run(&args).json()
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    if !from.is_dir() {
        return;
    }
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name.matches('.').count() > 1 {
            // A translation generated by an earlier run in the work tree.
            continue;
        }
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The outcome of one `dich` run.
pub(crate) struct Run {
    output: Output,
}

impl Run {
    /// Standard output as text.
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error as text.
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The exit code.
    pub(crate) fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// Asserts the exit code, showing the output when it differs.
    pub(crate) fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Parses stdout as one JSON value.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout()).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n--- stderr\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
}

/// The object of the JSON array `list` whose `key` is `value`; panics with the whole
/// list when there is none, so a failing test shows what was there.
pub(crate) fn entry(list: &serde_json::Value, key: &str, value: &str) -> serde_json::Value {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item[key] == value))
        .cloned()
        .unwrap_or_else(|| panic!("no entry with {key} = {value:?} in {list:#}"))
}
