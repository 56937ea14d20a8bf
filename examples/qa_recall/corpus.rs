//! The clean parallel corpus: templates from `corpus.toml` with slots filled at random.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::Deserialize;

/// The target languages of the corpus, in the order of [`Sample::answers`].
pub(crate) const TARGETS: [&str; 3] = ["en", "ko", "zh-Hans"];

#[derive(Deserialize)]
struct Corpus {
    pair: Vec<Template>,
}

#[derive(Deserialize)]
struct Template {
    vi: String,
    en: String,
    ko: String,
    zh: String,
}

/// A clean paragraph and its reference translations.
pub(crate) struct Sample {
    pub(crate) source: String,
    pub(crate) answers: [String; 3],
}

/// Cities and districts, with their English, Korean and Chinese glossary forms.
const PLACES: &[[&str; 4]] = &[
    ["Từ Sơn", "Tu Son", "뜨선", "慈山"],
    ["Thuận Thành", "Thuan Thanh", "투안타인", "顺成"],
    ["Quế Võ", "Que Vo", "꿰보", "桂武"],
    ["Tiên Du", "Tien Du", "띠엔주", "仙游"],
    ["Yên Phong", "Yen Phong", "옌퐁", "安丰"],
    ["Gia Bình", "Gia Binh", "자빈", "嘉平"],
    ["Lương Tài", "Luong Tai", "르엉따이", "良才"],
    ["thành phố Bắc Ninh", "Bac Ninh city", "박닌시", "北宁市"],
];

/// People's names: English keeps the Vietnamese spelling.
const PEOPLE: &[[&str; 3]] = &[
    ["Nguyễn Văn Hùng", "응우옌 반 훙", "阮文雄"],
    ["Trần Thị Lan", "쩐 티 란", "陈氏兰"],
    ["Lê Quang Minh", "레 꽝 민", "黎光明"],
    ["Phạm Đức Thắng", "팜 득 탕", "范德胜"],
    ["Đào Hồng Hải", "다오 홍 하이", "陶红海"],
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Groups thousands with `sep`.
fn group(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A value in tenths written with `decimal` (`35` → `3,5`; `40` → `4`).
fn tenths(t: u64, group_sep: char, decimal: char) -> String {
    if t.is_multiple_of(10) {
        group(t / 10, group_sep)
    } else {
        format!("{}{decimal}{}", group(t / 10, group_sep), t % 10)
    }
}

/// One slot rendered in vi, en, ko, zh.
type Rendered = [String; 4];

fn slots(rng: &mut StdRng) -> Vec<(&'static str, Rendered)> {
    let same = |s: String| -> Rendered { [s.clone(), s.clone(), s.clone(), s] };
    let mut out = Vec::new();
    let n: u64 = match rng.random_range(0..3) {
        0 => rng.random_range(12..100),
        1 => rng.random_range(100..1000),
        _ => rng.random_range(1000..60000),
    };
    let dots = group(n, '.');
    let commas = group(n, ',');
    out.push(("{n}", [dots, commas.clone(), commas.clone(), commas]));
    let m: u64 = rng.random_range(2..30);
    out.push(("{m}", same(m.to_string())));
    out.push(("{n2}", same((m + rng.random_range(3..10)).to_string())));
    let p: u64 = rng.random_range(1..400);
    out.push((
        "{pct}",
        [
            format!("{}%", tenths(p, '.', ',')),
            format!("{}%", tenths(p, ',', '.')),
            format!("{}%", tenths(p, ',', '.')),
            format!("{}%", tenths(p, ',', '.')),
        ],
    ));
    let t: u64 = rng.random_range(11..10000);
    out.push((
        "{ty}",
        [
            format!("{} tỷ đồng", tenths(t, '.', ',')),
            format!("VND {} billion", tenths(t, ',', '.')),
            format!("{}억 동", group(t, ',')),
            format!("{t}亿越南盾"),
        ],
    ));
    let tr: u64 = rng.random_range(1..100);
    out.push((
        "{trieu}",
        [
            format!("{tr} triệu đồng"),
            format!("VND {tr} million"),
            format!("{}만 동", group(tr * 100, ',')),
            format!("{}万越南盾", tr * 100),
        ],
    ));
    let year: u64 = rng.random_range(2015..2024);
    out.push(("{year}", same(year.to_string())));
    out.push(("{year2}", same((year + rng.random_range(1..6)).to_string())));
    let (d, mo) = (rng.random_range(1..29u64), rng.random_range(1..13usize));
    out.push((
        "{date}",
        [
            format!("{d}/{mo}/{year}"),
            format!("{} {d}, {year}", MONTHS[mo - 1]),
            format!("{year}년 {mo}월 {d}일"),
            format!("{year}年{mo}月{d}日"),
        ],
    ));
    let (h, mi) = (
        rng.random_range(7..21u64),
        [15u64, 30, 45][rng.random_range(0..3)],
    );
    out.push((
        "{time}",
        [
            format!("{h} giờ {mi}"),
            format!("{h}:{mi}"),
            format!("{h}시 {mi}분"),
            format!("{h}点{mi}分"),
        ],
    ));
    let place = PLACES.choose(rng).copied().unwrap_or(PLACES[0]);
    out.push(("{place}", place.map(str::to_owned)));
    let person = PEOPLE.choose(rng).copied().unwrap_or(PEOPLE[0]);
    out.push((
        "{person}",
        [person[0], person[0], person[1], person[2]].map(str::to_owned),
    ));
    out
}

fn fill(template: &str, slots: &[(&str, Rendered)], lang: usize) -> String {
    let mut text = template.to_owned();
    for (name, values) in slots {
        text = text.replace(name, &values[lang]);
    }
    text
}

/// `count` paragraphs of one to three sentences each.
pub(crate) fn generate(count: usize, rng: &mut StdRng) -> Vec<Sample> {
    let corpus: Corpus =
        toml::from_str(include_str!("corpus.toml")).expect("the benchmark corpus is valid TOML");
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let sentences = rng.random_range(1..4);
        let mut parts: [Vec<String>; 4] = Default::default();
        // Distinct sentences: a paragraph does not say the same thing twice.
        let picked: Vec<&Template> = corpus.pair.choose_multiple(rng, sentences).collect();
        for template in picked {
            let slots = slots(rng);
            let texts = [&template.vi, &template.en, &template.ko, &template.zh];
            for (lang, text) in texts.iter().enumerate() {
                parts[lang].push(fill(text, &slots, lang));
            }
        }
        samples.push(Sample {
            source: parts[0].join(" "),
            answers: [parts[1].join(" "), parts[2].join(" "), parts[3].join("")],
        });
    }
    samples
}

/// The hand-translated sentences of the sample articles (`articles.toml`).
pub(crate) fn articles() -> Vec<Sample> {
    let corpus: Corpus =
        toml::from_str(include_str!("articles.toml")).expect("articles.toml is valid TOML");
    corpus
        .pair
        .into_iter()
        .map(|t| Sample {
            source: t.vi,
            answers: [t.en, t.ko, t.zh],
        })
        .collect()
}
