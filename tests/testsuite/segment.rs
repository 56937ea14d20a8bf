//! `dich segment`: JSON Lines, one array of sentences per paragraph.

use crate::support::Project;

/// The sentences of each paragraph, from `dich segment`'s JSON Lines.
fn paragraphs(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn prints_one_json_array_per_paragraph() {
    let project = Project::new();
    project.write(
        "in.txt",
        "TP. Hồ Chí Minh có 1.676 người. Trời mưa.\n\n  \nGiá tăng 3,5%.\n",
    );
    let lines = paragraphs(&project.run(&["segment", "in.txt"]).expect_code(0).stdout());
    assert_eq!(
        lines,
        vec![
            vec!["TP. Hồ Chí Minh có 1.676 người.", "Trời mưa."],
            vec!["Giá tăng 3,5%."]
        ]
    );
}

#[test]
fn normalises_nfd_input() {
    let project = Project::new();
    project.write("nfd.txt", "Hoa\u{300} bi\u{300}nh.\n");
    let run = project.run(&["segment", "nfd.txt"]).expect_code(0);
    assert_eq!(run.stdout().trim(), "[\"Hòa bình.\"]");
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let project = Project::new();
    project.write_bytes("bad.txt", b"Xin ch\xff\xfeo.\n");
    let run = project.run(&["segment", "bad.txt"]).expect_code(1);
    assert!(run.stderr().contains("not valid UTF-8"), "{}", run.stderr());
}

/// The hard cases of real news text (issue 9), as a user sees them through the CLI.
#[test]
fn splits_the_hard_cases_of_news_text() {
    let project = Project::new();
    project.write(
        "tin.txt",
        "Lượng khách giảm kéo theo doanh thu của TP. Vậy đâu là giải pháp? \
         Đoàn công tác của TP. Bắc Ninh đã đến Tp. Hồ Chí Minh để học hỏi kinh nghiệm.\n\
         \n\
         \"Mỗi đêm kéo lưới được bao nhiêu cân cá?\" - tôi hỏi. \
         Chợ cá bán đủ loại tôm, cua, mực v.v. Giá cả tăng nhẹ so với tháng trước.\n\
         \n\
         ... Rồi cũng chính con sông này đã cuốn trôi ngôi nhà của anh V. H. Long.\n",
    );
    let lines = paragraphs(&project.run(&["segment", "tin.txt"]).expect_code(0).stdout());
    assert_eq!(
        lines,
        vec![
            vec![
                "Lượng khách giảm kéo theo doanh thu của TP.",
                "Vậy đâu là giải pháp?",
                "Đoàn công tác của TP. Bắc Ninh đã đến Tp. Hồ Chí Minh để học hỏi kinh nghiệm.",
            ],
            vec![
                "\"Mỗi đêm kéo lưới được bao nhiêu cân cá?\" - tôi hỏi.",
                "Chợ cá bán đủ loại tôm, cua, mực v.v.",
                "Giá cả tăng nhẹ so với tháng trước.",
            ],
            vec!["... Rồi cũng chính con sông này đã cuốn trôi ngôi nhà của anh V. H. Long."],
        ]
    );
}
