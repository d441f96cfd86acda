//! What the generators share: the words that people's and organizations' names are made of,
//! the areas, and the password of every generated account that may log in.

use admit::usecases::{Actor, Ctx};

use crate::Rng;

#[rustfmt::skip]
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Anna", "Lena", "Julia", "Sarah", "Laura", "Lisa", "Katharina", "Sabine", "Petra", "Monika",
    "Claudia", "Andrea", "Stefanie", "Nicole", "Susanne", "Sophie", "Marie", "Hannah", "Emma",
    "Mia", "Emily", "Olivia", "Charlotte", "Grace", "Thomas", "Michael", "Andreas", "Stefan",
    "Peter", "Klaus", "Jürgen", "Frank", "Markus", "Christian", "Alexander", "Daniel", "Tobias",
    "Florian", "Jan", "Lukas",
    "Felix", "Jonas", "Paul", "Max", "Leon", "David", "James", "John", "Robert", "William",
    "Oliver", "Harry", "Jack", "George", "Noah", "Liam", "Ömer", "Zoë",
];

/// Common surnames and their weights (per mille of the people): the rest are made of syllables.
const COMMON_SURNAMES: &[(&str, u32)] = &[
    ("Müller", 30),
    ("Schmidt", 25),
    ("Schneider", 18),
    ("Fischer", 16),
    ("Weber", 14),
    ("Meyer", 13),
    ("Wagner", 12),
    ("Becker", 11),
    ("Schulz", 10),
    ("Hoffmann", 10),
    ("Schäfer", 9),
    ("Koch", 9),
    ("Bauer", 8),
    ("Richter", 8),
    ("Klein", 8),
    ("Wolf", 7),
    ("Schröder", 7),
    ("Neumann", 7),
    ("Schwarz", 6),
    ("Zimmermann", 6),
    ("Smith", 12),
    ("Jones", 8),
    ("Taylor", 7),
    ("Brown", 7),
    ("Williams", 6),
    ("Wilson", 5),
    ("Johnson", 5),
    ("Davies", 4),
    ("Yılmaz", 4),
    ("Nowak", 4),
];

#[rustfmt::skip]
const SYLLABLES: &[&str] = &[
    "ber", "brink", "dorf", "gart", "hau", "hel", "kamp", "ker", "lan", "mann", "mer", "ner", "ro",
    "sel", "stein", "ta", "thal", "vo", "wal", "win", "ze", "bach", "feld", "horn", "lin",
];

#[rustfmt::skip]
const ORG_WORDS: &[&str] = &[
    "Nord", "Süd", "Alpen", "Rhein", "Elbe", "Berg", "Tal", "Stadt", "Land", "Sonnen", "Wärme",
    "Haus", "Bau", "Energie", "Technik", "Service", "Werk", "Solar", "Wasser", "Klima", "Heiz",
    "Blue", "Green", "North", "Bright", "Future", "Smart", "Prime", "Star", "Delta",
];
const ORG_SUFFIXES: &[&str] = &["GmbH", "AG", "KG", "GmbH & Co. KG", "Ltd", "SE", "e.K."];
const TLDS: &[(&str, u32)] = &[("de", 60), ("com", 20), ("at", 8), ("ch", 7), ("eu", 5)];
pub(crate) const MAIL_PROVIDERS: &[&str] = &[
    "gmx.de",
    "web.de",
    "gmail.com",
    "outlook.com",
    "t-online.de",
];

/// The password of every registered generated account.
pub(crate) const BENCH_PASSWORD: &str = "bench password that is long enough";

/// Areas of these names, through the use case; their ids in order.
pub(crate) async fn make_areas(
    cx: &Ctx,
    actor: &Actor,
    names: &[&str],
) -> anyhow::Result<Vec<i64>> {
    let mut areas = Vec::new();
    for name in names {
        let a = admit::usecases::directory::create_area(
            cx,
            actor,
            &admit::domain::directory::AreaInput {
                name: (*name).into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        areas.push(a.id);
    }
    Ok(areas)
}

/// `s` in lower-case ASCII letters and digits, for e-mail addresses and domains.
pub(crate) fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for ch in s.to_lowercase().chars() {
        match ch {
            'a'..='z' | '0'..='9' => out.push(ch),
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ı' => out.push('i'),
            'ë' => out.push('e'),
            _ => {}
        }
    }
    out
}

/// A surname: a common one, or one made of syllables.
pub(crate) fn surname(rng: &mut Rng) -> String {
    let common: u32 = COMMON_SURNAMES.iter().map(|(_, w)| w).sum();
    if (rng.below(1000) as u32) < common {
        return rng.pick(COMMON_SURNAMES).to_string();
    }
    let n = 2 + rng.below(2);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(SYLLABLES[rng.below(SYLLABLES.len())]);
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// Makes an organization's name and its e-mail domain.
pub(crate) fn org_name(rng: &mut Rng, i: usize) -> (String, String) {
    let w1 = ORG_WORDS[rng.below(ORG_WORDS.len())];
    let w2 = ORG_WORDS[rng.below(ORG_WORDS.len())];
    let suffix = ORG_SUFFIXES[rng.below(ORG_SUFFIXES.len())];
    (
        format!("{w1}{} {suffix} {i}", w2.to_lowercase()),
        format!(
            "{}{}-{i}.{}",
            ascii_slug(w1),
            ascii_slug(w2),
            rng.pick(TLDS)
        ),
    )
}
