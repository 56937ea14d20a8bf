//! Plural messages through `dich translate` end to end (issue 10, item 10): each
//! target category is sent with a number it selects, and comes back with the
//! placeable, so Russian `[one]` reads right for 21 and English `[one]` is singular.

use crate::support::Project;

/// Mozilla Send's `en-US` strings (public/locales/en-US/send.ftl), shortened.
const SEND_EN_US: &str = "\
downloadCount = { $num ->
    [one] 1 download
   *[other] { $num } downloads
}
reportFile = { $count ->
    [one] Report this file as suspicious
   *[other] Report these files as suspicious
}
";

/// The variant lines of message `id` in `text`.
fn variants(text: &str, id: &str) -> Vec<String> {
    let start = text
        .lines()
        .position(|l| l.starts_with(&format!("{id} =")))
        .unwrap_or_else(|| panic!("{id} in:\n{text}"));
    text.lines()
        .skip(start + 1)
        .take_while(|l| l.starts_with(' ') || l.starts_with('}'))
        .filter(|l| l.trim_start().starts_with('[') || l.trim_start().starts_with("*["))
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn send_strings_into_russian_and_english() {
    let project =
        Project::with_config("[project]\nsource = \"en-US\"\ntargets = [\"ru\", \"en-GB\"]\n");
    project.write("locales/en-US/send.ftl", SEND_EN_US);
    project.run(&["translate"]).expect_code(0);

    let ru = project.read("locales/ru/send.ftl");
    // Every Russian category shows the count; none keeps the English literal `1`.
    assert_eq!(
        variants(&ru, "downloadCount"),
        [
            "[one] [ru] { $num } downloads",
            "[few] [ru] { $num } downloads",
            "[many] [ru] { $num } downloads",
            "*[other] [ru] { $num } downloads",
        ],
        "{ru}"
    );
    // No number to show: `[one]` comes from the singular, and a person is asked to
    // check it (Russian `one` is also 21, 31 …).
    assert!(
        variants(&ru, "reportFile")[0].starts_with("[one] [ru] Report this file"),
        "{ru}"
    );
    assert!(ru.contains("# dich: review `reportFile[one]`"), "{ru}");

    let en = project.read("locales/en-GB/send.ftl");
    // English `one` is 1 alone: the literal is right, and nothing needs review.
    assert_eq!(
        variants(&en, "downloadCount"),
        [
            "[one] [en-GB] 1 download",
            "*[other] [en-GB] { $num } downloads"
        ],
        "{en}"
    );
    assert!(!en.contains("review"), "{en}");

    // What was written formats for every category without error, and a second run
    // has nothing to do.
    project.run(&["check", "--strict"]).expect_code(0);
    let again = project.translate_json(&[]);
    assert_eq!(again["segments_sent"], 0, "{again:#}");
}
