//! One test per check: a correct answer passes, the fault is reported with its code.

use std::path::Path;

use super::super::{Checker, Glossary, Levels, Pair, QaCode, advisory, check_answer, has_error};
use crate::config::Level;
use crate::lang::Lang;

fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap()
}

fn checker() -> Checker {
    let glossary = Glossary::parse(
        "[[term]]\nvi = [\"UBND tỉnh\", \"Ủy ban nhân dân tỉnh\"]\nen = \"Provincial People's Committee\"\n\
         ko = \"성 인민위원회\"\nzh-Hans = \"省人民委员会\"\n\n\
         [[term]]\nvi = \"quan họ\"\ntranslate = false\n",
        Path::new("glossary.toml"),
    )
    .unwrap();
    Checker::new().with_glossary(glossary)
}

fn codes(source: &str, answer: &str, target: &str) -> Vec<QaCode> {
    let vi = lang("vi");
    let target = lang(target);
    let pair = Pair {
        source: &vi,
        target: &target,
    };
    check_answer(&checker(), source, answer, pair)
        .into_iter()
        .map(|f| f.code)
        .collect()
}

const SOURCE: &str = "Năm 2019, Bắc Ninh đón 1.676,5 nghìn lượt khách, tăng 3,5% so với năm 2018.";

#[test]
fn correct_translations_pass_in_every_language() {
    assert_eq!(
        codes(
            SOURCE,
            "In 2019, Bac Ninh welcomed 1,676.5 thousand visitors, up 3.5% from 2018.",
            "en"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            SOURCE,
            "2019年，北宁接待游客167.65万人次，比2018年增长3.5%。",
            "zh-Hans"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            SOURCE,
            "2019년 박닌성은 1,676.5천 명의 관광객을 맞이하여 2018년 대비 3.5% 증가했다.",
            "ko"
        ),
        vec![]
    );
}

#[test]
fn empty_and_untranslated_answers_stop_the_checks() {
    assert_eq!(codes(SOURCE, "  ", "en"), vec![QaCode::EmptyAnswer]);
    assert_eq!(codes(SOURCE, SOURCE, "en"), vec![QaCode::Untranslated]);
    // A name alone is the same in every language.
    assert_eq!(codes("Samsung Display", "Samsung Display", "en"), vec![]);
}

#[test]
fn numbers_changed_dropped_or_left_in_vietnamese_style() {
    let wrong = "In 2019, Bac Ninh welcomed 1.676,5 thousand visitors, up 3.5% from 2018.";
    assert_eq!(codes(SOURCE, wrong, "en"), vec![QaCode::NumberMismatch]);
    let dropped = "In 2019, Bac Ninh welcomed 1,676.5 thousand visitors, up from 2018.";
    assert_eq!(codes(SOURCE, dropped, "en"), vec![QaCode::NumberMismatch]);
    assert_eq!(
        codes(
            "Dự án có vốn 3,5 tỷ đồng.",
            "The project has capital of 35亿越南盾.",
            "en"
        ),
        vec![QaCode::NumberMismatch]
    );
    assert_eq!(
        codes(
            "Dự án có vốn 3,5 tỷ đồng.",
            "该项目资金为35亿越南盾。",
            "zh-Hans"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            "Hội nghị diễn ra lúc 7 giờ 30 ngày 12/11/2019.",
            "The conference took place at 7:30 on November 12, 2019.",
            "en"
        ),
        vec![]
    );
}

#[test]
fn urls_emails_and_phones_are_verbatim() {
    let source =
        "Liên hệ https://bacninh.gov.vn/tin-tuc, email sotttt@bacninh.gov.vn hoặc 0222 3822 555.";
    let good =
        "Contact https://bacninh.gov.vn/tin-tuc, email sotttt@bacninh.gov.vn or 0222 3822 555.";
    assert_eq!(codes(source, good, "en"), vec![]);
    let bad = "Contact https://bacninh.gov.vn/news, email sotttt@bacninh.gov.vn or 0222 3822 556.";
    assert_eq!(
        codes(source, bad, "en"),
        vec![QaCode::UrlMismatch, QaCode::PhoneMismatch]
    );
    let invented = "Contact https://bacninh.gov.vn/tin-tuc, email sotttt@bacninh.gov.vn or 0222 3822 555, see www.example.com.";
    assert_eq!(codes(source, invented, "en"), vec![QaCode::UrlMismatch]);
}

#[test]
fn tags_and_placeables_must_match() {
    assert_eq!(
        codes(
            "Xem <g1>báo cáo</g1> tại đây.",
            "See the <g1>report</g1> here.",
            "en"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            "Xem <g1>báo cáo</g1> tại đây.",
            "See the report here.",
            "en"
        ),
        vec![QaCode::TagMismatch]
    );
    assert_eq!(codes("Xin chào { $name }!", "Hello {$name}!", "en"), vec![]);
    assert_eq!(
        codes("Xin chào { $name }!", "Hello { $user }!", "en"),
        vec![QaCode::PlaceableMismatch, QaCode::PlaceableMismatch]
    );
}

#[test]
fn vietnamese_words_left_but_names_and_protected_terms_pass() {
    let source = "Đồng chí Nguyễn Hữu Quất dự liên hoan quan họ tại thành phố.";
    assert_eq!(
        codes(
            source,
            "Comrade Nguyễn Hữu Quất attended the quan họ festival in the city.",
            "en"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            source,
            "Comrade Nguyễn Hữu Quất attended the liên hoan quan họ in the city.",
            "en"
        ),
        vec![QaCode::VietnameseLeft]
    );
}

#[test]
fn dropped_sentences_truncation_and_length() {
    let source = "Hội nghị đã thông qua kế hoạch năm. Các đại biểu thống nhất cao với nội dung.";
    let good =
        "The conference adopted the annual plan. The delegates strongly agreed with its content.";
    assert_eq!(codes(source, good, "en"), vec![]);
    // Two sentences joined by a comma are not a dropped sentence.
    assert_eq!(
        codes(
            "Đã có lỗi xảy ra trên trang. Vui lòng thử lại sau ít phút.",
            "页面出现错误，请稍后再试。",
            "zh-Hans"
        ),
        vec![]
    );
    // A comma in an English date is no clause boundary.
    assert_eq!(
        codes(
            "Hội nghị họp ngày 23/9/2019. Các đại biểu thống nhất cao. Góp ý gửi trước ngày 30/9/2019.",
            "The conference met on September 23, 2019. Comments are due by September 30, 2019.",
            "en"
        ),
        vec![QaCode::SentenceMissing]
    );
    assert_eq!(
        codes(source, "The conference adopted the annual plan.", "en"),
        vec![QaCode::SentenceMissing, QaCode::LengthRatio]
    );
    assert_eq!(
        codes(
            source,
            "The conference adopted the annual plan. The delegates strongly agreed with",
            "en"
        ),
        vec![QaCode::Truncated]
    );
}

#[test]
fn a_placeable_at_the_end_is_no_truncation() {
    // The colon is not the end of `Tác giả: { $author }`.
    assert_eq!(codes("Tác giả: <x1/>", "By <x1/>", "en"), vec![]);
    assert_eq!(
        codes("Tác giả: <x1/> viết.", "Written by <x1/>", "en"),
        vec![QaCode::Truncated]
    );
    // A Korean UI string ends with a counter after its number: `… 결과 N건`.
    let source = "Tìm thấy <x1/> kết quả cho “<x2/>”.";
    assert_eq!(
        codes(source, "“<x2/>”에 대한 검색 결과 <x1/>건", "ko"),
        vec![]
    );
    assert_eq!(
        codes(source, "“<x2/>”에 대한 검색 결과 <x1/>건을 찾", "ko"),
        vec![QaCode::Truncated]
    );
}

#[test]
fn loops_are_repetitions() {
    let source = "Tỉnh đẩy mạnh thu hút đầu tư vào các khu công nghiệp.";
    assert_eq!(
        codes(
            source,
            "The province promotes investment in industrial parks in industrial parks.",
            "en"
        ),
        vec![QaCode::Repetition]
    );
    assert_eq!(
        codes(source, "该省大力吸引对工业区工业区的投资。", "zh-Hans"),
        vec![QaCode::Repetition]
    );
    // A sentence that starts with the words the previous one ended with.
    assert_eq!(
        codes(
            "Ông phát biểu tại hội nghị. Hội nghị đã thống nhất cao.",
            "He spoke at the conference. The conference strongly agreed.",
            "en"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            "Hội nghị đã thống nhất cao.",
            "The conference strongly agreed. The conference strongly agreed.",
            "en"
        ),
        vec![QaCode::Repetition]
    );
    // Chinese reduplication of a two-character word is language, not a loop.
    assert_eq!(
        codes(
            "Các cơ quan cần nghiên cứu kỹ đề án này.",
            "各机关要研究研究这个方案。",
            "zh-Hans"
        ),
        vec![]
    );
}

#[test]
fn chinese_and_korean_punctuation() {
    let source = "Tỉnh có 8 đơn vị hành chính, gồm 2 thành phố.";
    assert_eq!(
        codes(source, "全省有8个行政单位，包括2个城市。", "zh-Hans"),
        vec![]
    );
    assert_eq!(
        codes(source, "全省有8个行政单位,包括2个城市.", "zh-Hans"),
        vec![QaCode::CjkPunctuation]
    );
    assert_eq!(
        codes("Tỷ lệ đạt 11,1%.", "比例达11.1%.", "zh-Hans"),
        vec![QaCode::CjkPunctuation]
    );
    assert_eq!(
        codes("Tỷ lệ đạt 11,1%.", "比例达11.1%。", "zh-Hans"),
        vec![]
    );
    assert_eq!(
        codes(
            source,
            "성에는 8개 행정 단위가 있으며, 2개 시를 포함한다.",
            "ko"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            source,
            "성에는 8개 행정 단위가 있으며，2개 시를 포함한다。",
            "ko"
        ),
        vec![QaCode::CjkPunctuation]
    );
}

#[test]
fn glossary_terms_need_their_required_translation() {
    let source = "Ủy ban nhân dân tỉnh tổ chức họp báo.";
    assert_eq!(
        codes(
            source,
            "The Provincial People's Committee held a press conference.",
            "en"
        ),
        vec![]
    );
    assert_eq!(
        codes(
            source,
            "The Provincial Committee held a press conference.",
            "en"
        ),
        vec![QaCode::Terminology]
    );
    assert_eq!(
        codes(source, "省人民委员会举行新闻发布会。", "zh-Hans"),
        vec![]
    );
}

#[test]
fn levels_turn_checks_off_or_down() {
    let vi = lang("vi");
    let en = lang("en");
    let pair = Pair {
        source: &vi,
        target: &en,
    };
    let mut levels = Levels::default();
    levels.set(QaCode::NumberMismatch, Level::Warning);
    levels.set(QaCode::Terminology, Level::Off);
    let checker = checker().with_levels(levels);
    let findings = check_answer(
        &checker,
        "UBND tỉnh chi 25 tỷ đồng.",
        "The committee spent 26 billion dong.",
        pair,
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, QaCode::NumberMismatch);
    assert!(
        findings[0].message.contains("25 tỷ"),
        "{}",
        findings[0].message
    );
    assert!(!has_error(&findings));
}

#[test]
fn a_persons_text_gets_warnings_only() {
    let vi = lang("vi");
    let en = lang("en");
    let pair = Pair {
        source: &vi,
        target: &en,
    };
    let findings = check_answer(&checker(), "Chi 25 tỷ đồng.", "Spent VND 26 billion.", pair);
    assert!(has_error(&findings));
    let findings = advisory(findings);
    assert_eq!(findings.len(), 1);
    assert!(!has_error(&findings));
}

proptest::proptest! {
    /// Any source and answer, in any target language: the checks never panic and
    /// every span is a char-boundary range of the answer.
    #[test]
    fn any_input_is_checked_without_panic(
        source in "(<g1>|</g1>|<x2/>|\\{ \\$n \\}|[0-9]{1,5}|[.,:;!?%/ -]|tỷ|triệu|nghìn|UBND tỉnh|[a-zđơưăâêô]{1,6}|https://a\\.vn/x|0222 3822 555){0,24}",
        answer in "(<g1>|</g1>|<x2/>|\\{ \\$n \\}|[0-9]{1,5}|[.,:;!?%/ -]|billion|亿|억|万|천|[a-zA-Zđ]{1,6}|[北宁省，。]|https://a\\.vn/x){0,24}",
        target in proptest::sample::select(vec!["en", "ko", "zh-Hans", "fr", "vi"]),
    ) {
        let vi = lang("vi");
        let target = lang(target);
        let pair = Pair { source: &vi, target: &target };
        for finding in check_answer(&checker(), &source, &answer, pair) {
            if let Some(span) = finding.span {
                proptest::prop_assert!(answer.get(span).is_some());
            }
        }
    }
}

/// The shortcut of the sentence-missing check agrees with the segmenter: whatever it
/// calls one sentence, the segmenter does not split (on the segmentation fixtures,
/// whole paragraphs and each of their sentences, and on hard cases).
#[test]
fn single_sentence_never_hides_a_boundary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment");
    let mut texts: Vec<String> = vec![
        "Ông A. Nguyễn đến.".into(),
        "Có 1.676 trường, tăng 3,5%.".into(),
        "TP. Hồ Chí Minh mưa".into(),
        "Xin chào! Tạm biệt".into(),
        "Hà Nội… Huế".into(),
        "dòng một\ndòng hai".into(),
        "Xem tại https://bacninh.gov.vn/ban-do.".into(),
        "(bài số 12) “Trích dẫn” – hết.".into(),
        "Giá 30.000 đồng/lượt; mở cửa 7:30".into(),
    ];
    let vi = crate::segment::Segmenter::for_language("vi");
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            for paragraph in text.split("\n\n") {
                texts.push(paragraph.to_owned());
                texts.extend(
                    vi.split(paragraph)
                        .into_iter()
                        .map(|r| paragraph[r].to_owned()),
                );
            }
        }
    }
    let mut single = 0;
    for text in &texts {
        if super::single_sentence(text) {
            single += 1;
            assert!(vi.split(text).len() <= 1, "one sentence? {text:?}");
        }
    }
    assert!(
        single > 20,
        "the shortcut is taken on ordinary sentences: {single}"
    );
}

#[test]
fn unit_abbreviations_alone_are_not_untranslated() {
    let en = lang("en-US");
    let de = lang("de");
    let pair = Pair {
        source: &en,
        target: &de,
    };
    let found = |source: &str, answer: &str| -> Vec<QaCode> {
        check_answer(&checker(), source, answer, pair)
            .into_iter()
            .map(|f| f.code)
            .collect()
    };
    assert_eq!(found("<x1/>h <x2/>m", "<x1/>h <x2/>m"), vec![]);
    // A real word left in English still is.
    assert_eq!(
        found("<x1/> minutes", "<x1/> minutes"),
        vec![QaCode::Untranslated]
    );
}

#[test]
fn the_cheap_tests_before_the_url_and_phone_patterns_miss_no_match() {
    let texts = [
        "Xem tại WWW.tinhbacninh.gov.vn.",
        "https://example.org/a",
        "Gọi 0222 3822 XXX hoặc (+84) 222 3822 123.",
        "Gọi 0912.345.678 ngay.",
        "Gọi số:0912 345 678, email a.b@so.gov.vn",
    ];
    for text in texts {
        assert!(
            super::URL.is_match(text) <= super::may_hold_url(text),
            "{text}"
        );
        assert!(
            super::PHONE.is_match(text) <= super::may_hold_phone(text),
            "{text}"
        );
        assert!(
            super::EMAIL.is_match(text) <= super::may_hold_email(text),
            "{text}"
        );
    }
    assert!(super::PHONE.is_match(texts[2]) && super::URL.is_match(texts[0]));
    // Years and percentages, the usual digits of a segment, skip the phone pattern.
    assert!(!super::may_hold_phone(
        "giai đoạn 2016-2020, tăng 10%, số0912345678"
    ));
}

proptest::proptest! {
    /// Whatever the text, a match of the URL, e-mail or phone pattern is never
    /// skipped by the cheap test run before it.
    #[test]
    fn the_cheap_tests_agree_with_the_patterns(text in "[0-9+()84 .:/@wWhtpsđưa_\\-]{0,40}") {
        proptest::prop_assert!(super::URL.is_match(&text) <= super::may_hold_url(&text));
        proptest::prop_assert!(super::PHONE.is_match(&text) <= super::may_hold_phone(&text));
        proptest::prop_assert!(super::EMAIL.is_match(&text) <= super::may_hold_email(&text));
    }
}

#[test]
fn one_checker_judges_each_answer_of_a_source_on_its_own() {
    // The facts of a source are kept for its other answers: a faulty answer between
    // two good ones, in several languages, is still the only one flagged.
    let checker = checker();
    let vi = lang("vi");
    let check = |answer: &str, target: &str| {
        let target = lang(target);
        let pair = Pair {
            source: &vi,
            target: &target,
        };
        check_answer(&checker, SOURCE, answer, pair)
            .into_iter()
            .map(|f| f.code)
            .collect::<Vec<_>>()
    };
    let good = "In 2019, Bac Ninh welcomed 1,676.5 thousand visitors, up 3.5% from 2018.";
    let dropped = "In 2019, Bac Ninh welcomed 1,676.5 thousand visitors, up from 2018.";
    assert!(check(good, "en").is_empty());
    assert_eq!(check(dropped, "en"), [QaCode::NumberMismatch]);
    assert!(check(good, "en").is_empty());
    let ko =
        "2019년 박닌성은 1,676,500명의 관광객을 맞이했으며, 이는 2018년보다 3.5% 증가한 수치이다.";
    assert!(check(ko, "ko").is_empty(), "{:?}", check(ko, "ko"));
}
