//! The rules a new password must pass, wherever one is set: 12 to 128 characters, never
//! truncated, no composition rules; not one of the most common passwords; not predictable
//! (repeated characters, sequences, a common word with a few characters added); no word of
//! its context (the person's name and e-mail address, the portal's and organization's names,
//! "admit"); and, when the operator turns it on, not in a known breach.

use super::breached::BreachCheck;
use crate::catalog::Message;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;
/// Context words shorter than this are not looked for ("Li", "Tom": too many passwords hold
/// them by chance).
const MIN_CONTEXT_WORD: usize = 4;
/// A password whose characters are almost all explained by repetition, sequences and one
/// common word is refused when fewer than this many are left.
const MIN_UNEXPLAINED: usize = 5;

/// Every password of at least 12 characters in the source list (scripts/common-passwords),
/// lower-cased and sorted byte-wise, one a line.
const COMMON: &str = include_str!("common-passwords.txt");
/// The most common short passwords (4 to 11 characters), the words predictable ones are made of.
const WORDS: &str = include_str!("common-words.txt");

/// Why a password is refused. Its message is the rule's own words (English); the portal's
/// catalog has each in every language (`sentence-password-...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    Common,
    Predictable,
    Context,
    Breached,
}

impl Weakness {
    pub const ALL: [Weakness; 6] = [
        Weakness::TooShort,
        Weakness::TooLong,
        Weakness::Common,
        Weakness::Predictable,
        Weakness::Context,
        Weakness::Breached,
    ];

    /// What is wrong, as a field's error ("must be at least 12 characters"), from the catalog
    /// (`error-password-...`).
    pub fn message(self) -> Message {
        Message::new(match self {
            Weakness::TooShort => "error-password-too-short",
            Weakness::TooLong => "error-password-too-long",
            Weakness::Common => "error-password-common",
            Weakness::Predictable => "error-password-predictable",
            Weakness::Context => "error-password-context",
            Weakness::Breached => "error-password-breached",
        })
    }

    /// What is wrong, as a sentence of its own ("The password must be at least 12 characters.").
    pub fn sentence(self) -> Message {
        Message::new(match self {
            Weakness::TooShort => "sentence-password-too-short",
            Weakness::TooLong => "sentence-password-too-long",
            Weakness::Common => "sentence-password-common",
            Weakness::Predictable => "sentence-password-predictable",
            Weakness::Context => "sentence-password-context",
            Weakness::Breached => "sentence-password-breached",
        })
    }

    /// The weakness of an error's message, by its code.
    pub fn of(message: &Message) -> Option<Weakness> {
        Weakness::ALL
            .into_iter()
            .find(|w| w.message().key == message.key)
    }
}

/// The words a password must not contain: always "admit", plus names and addresses added.
#[derive(Debug, Clone)]
pub struct PasswordContext {
    words: Vec<String>,
}

impl Default for PasswordContext {
    fn default() -> Self {
        PasswordContext {
            words: vec!["admit".into()],
        }
    }
}

impl PasswordContext {
    pub fn new() -> Self {
        Self::default()
    }

    /// A name (a person's, a portal's, an organization's): each word of it, and all of it
    /// without spaces ("Customer portal" gives "customer", "portal", "customerportal").
    pub fn name(mut self, name: &str) -> Self {
        let lower = name.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() > 1 {
            self.add(&words.concat());
        }
        for w in words {
            self.add(w);
        }
        self
    }

    /// An e-mail address: its local part whole and by words, and the words of its domain but
    /// the last ("erika.muster@nordlicht.example" gives "erika.muster", "erika", "muster",
    /// "nordlicht").
    pub fn email(mut self, address: &str) -> Self {
        let lower = address.trim().to_lowercase();
        let (local, domain) = lower.rsplit_once('@').unwrap_or((lower.as_str(), ""));
        self.add(local);
        self = self.name(local);
        let labels: Vec<&str> = domain.split('.').collect();
        if let Some((_, rest)) = labels.split_last() {
            for label in rest {
                self = self.name(label);
            }
        }
        self
    }

    fn add(&mut self, word: &str) {
        if word.chars().count() >= MIN_CONTEXT_WORD && !self.words.iter().any(|w| w == word) {
            self.words.push(word.to_string());
        }
    }

    /// The first context word that `password` (lower-cased, and with look-alike digits and
    /// symbols read as letters) contains.
    fn found_in(&self, lowered: &[String]) -> bool {
        self.words
            .iter()
            .any(|w| lowered.iter().any(|p| p.contains(w.as_str())))
    }
}

/// The rules that need nothing but the password and its context.
pub fn check(password: &str, context: &PasswordContext) -> Result<(), Weakness> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(Weakness::TooShort);
    }
    if n > MAX_CHARS {
        return Err(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    if is_common(&lower) {
        return Err(Weakness::Common);
    }
    let readings = readings(&lower);
    if context.found_in(&readings) {
        return Err(Weakness::Context);
    }
    if readings.iter().any(|r| unexplained(r) < MIN_UNEXPLAINED) {
        return Err(Weakness::Predictable);
    }
    Ok(())
}

/// Whether `password` is among the most common ones (case-insensitively).
pub fn is_common(password: &str) -> bool {
    let p = password.to_lowercase();
    contains_line(&COMMON_LIST, &p)
}

static COMMON_LIST: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| COMMON.lines().collect());
static WORD_LIST: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| WORDS.lines().collect());

fn contains_line(list: &[&str], entry: &str) -> bool {
    list.binary_search(&entry).is_ok()
}

/// How many entries the common-password list holds.
pub fn common_count() -> usize {
    COMMON_LIST.len()
}

/// The lower-cased password as written, and read with look-alikes as letters ("p@ssw0rd").
fn readings(lower: &str) -> Vec<String> {
    let leet = |one: char| {
        lower
            .chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => one,
                '3' => 'e',
                '4' | '@' => 'a',
                '5' | '$' => 's',
                '7' => 't',
                c => c,
            })
            .collect::<String>()
    };
    let mut r = vec![lower.to_string()];
    for one in ['i', 'l'] {
        let s = leet(one);
        if !r.contains(&s) {
            r.push(s);
        }
    }
    r
}

/// The characters of `password` that no pattern explains: runs of one character, ascending
/// or descending sequences (digits wrap round: "7890123"), keyboard rows, a part repeated
/// from earlier, and then the one common word that explains most of the rest (context words
/// are refused before).
fn unexplained(password: &str) -> usize {
    let chars: Vec<char> = password.chars().collect();
    let n = chars.len();
    let mut explained = vec![false; n];
    let mark = |from: usize, len: usize, explained: &mut Vec<bool>| {
        for e in explained.iter_mut().skip(from).take(len) {
            *e = true;
        }
    };
    // Runs, sequences and keyboard rows of three or more.
    let mut i = 0;
    while i < n {
        let len = run_at(&chars[i..]);
        if len >= 3 {
            mark(i, len, &mut explained);
            i += len;
        } else {
            i += 1;
        }
    }
    // A part of three or more that appeared before.
    let mut i = 1;
    while i < n {
        let mut len = 0;
        for start in 0..i {
            let mut k = 0;
            while i + k < n && chars[start + k] == chars[i + k] && start + k < i + k {
                k += 1;
            }
            len = len.max(k);
        }
        if len >= 3 {
            mark(i, len, &mut explained);
            i += len;
        } else {
            i += 1;
        }
    }
    // The common word that explains most of what is left (one only: a passphrase of common
    // words stays acceptable).
    let mut best: Option<(usize, usize, usize)> = None;
    for i in 0..n {
        for j in i + 4..=n.min(i + 11) {
            let part: String = chars[i..j].iter().collect();
            if contains_line(&WORD_LIST, &part) {
                let gain = explained[i..j].iter().filter(|e| !**e).count();
                if best.is_none_or(|(_, _, g)| gain > g) {
                    best = Some((i, j - i, gain));
                }
            }
        }
    }
    if let Some((i, len, _)) = best {
        mark(i, len, &mut explained);
    }
    explained.iter().filter(|e| !**e).count()
}

const ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// The length of the run, sequence or keyboard walk that `s` starts with.
fn run_at(s: &[char]) -> usize {
    if s.len() < 2 {
        return s.len();
    }
    let step = |a: char, b: char| -> Option<i32> {
        if a == b {
            return Some(0);
        }
        if a.is_ascii_digit() && b.is_ascii_digit() {
            let d = (b as i32 - a as i32).rem_euclid(10);
            return match d {
                1 => Some(1),
                9 => Some(-1),
                _ => None,
            };
        }
        let d = b as i32 - a as i32;
        if a.is_alphabetic() && b.is_alphabetic() && d.abs() == 1 {
            return Some(d);
        }
        // Neighbours on a keyboard row: 100 + position difference.
        for row in ROWS {
            if let (Some(x), Some(y)) = (row.find(a), row.find(b)) {
                let d = y as i32 - x as i32;
                if d.abs() == 1 {
                    return Some(100 + d);
                }
            }
        }
        None
    };
    let Some(first) = step(s[0], s[1]) else {
        return 1;
    };
    let mut len = 2;
    while len < s.len() && step(s[len - 1], s[len]) == Some(first) {
        len += 1;
    }
    len
}

/// The rules, and the breach check when the operator turned it on.
#[derive(Clone, Default)]
pub struct PasswordPolicy {
    breached: Option<BreachCheck>,
}

impl PasswordPolicy {
    pub fn new(breached: Option<BreachCheck>) -> Self {
        PasswordPolicy { breached }
    }

    /// Every rule; the breach check last, and only for a password that passed the others.
    pub async fn check(&self, password: &str, context: &PasswordContext) -> Result<(), Weakness> {
        check(password, context)?;
        if let Some(b) = &self.breached
            && b.is_breached(password).await
        {
            return Err(Weakness::Breached);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PasswordContext {
        PasswordContext::new()
            .name("Customer portal")
            .name("Nordlicht GmbH")
            .name("Erika Muster")
            .email("erika.muster@nordlicht.example")
    }

    #[test]
    fn the_list_is_long_and_sorted() {
        assert!(common_count() >= 10_000, "{}", common_count());
        assert!(COMMON_LIST.windows(2).all(|w| w[0] < w[1]));
        assert!(COMMON_LIST.iter().all(|p| p.chars().count() >= MIN_CHARS));
        assert!(WORD_LIST.windows(2).all(|w| w[0] < w[1]));
        assert!(is_common("q1w2e3r4t5y6"));
        assert!(is_common("1QAZ2WSX3EDC"));
        assert!(!is_common("correct horse battery staple"));
    }

    #[test]
    fn trivial_passwords_are_refused() {
        let c = PasswordContext::new();
        for p in [
            "aaaaaaaaaaaa",
            "passwordpassword",
            "123456789012",
            "iloveyou1234",
            "abcdefghijklm",
            "qwertyuiopasdf",
            "abcabcabcabcabc",
            "P@ssw0rdP@ssw0rd",
            "zyxwvutsrqpo",
            "1111222233334444",
            "monkey12345678",
        ] {
            assert!(
                matches!(check(p, &c), Err(Weakness::Common | Weakness::Predictable)),
                "{p}: {:?}",
                check(p, &c)
            );
        }
    }

    #[test]
    fn context_words_are_refused() {
        for p in [
            "Customerportal1",
            "my admit password",
            "erika-likes-cake",
            "NORDLICHT-winter-7",
            "ErikaMuster1987",
            "3r1ka.muster.x!",
            "gmbh nordl1cht 2026",
        ] {
            assert_eq!(check(p, &ctx()), Err(Weakness::Context), "{p}");
        }
    }

    #[test]
    fn good_passwords_pass() {
        for p in [
            "correct horse battery staple",
            "an entirely new passphrase",
            "Xk9#Lm2$pQx7!",
            "tiger-lamp-42-orbit",
            "dragon monkey tiger summer",
            "vier Wörter sind genug",
        ] {
            assert_eq!(check(p, &ctx()), Ok(()), "{p}");
        }
    }

    #[test]
    fn length_rules_count_characters() {
        assert_eq!(check("short", &ctx()), Err(Weakness::TooShort));
        assert_eq!(check("äöüßäöüßäöü", &ctx()), Err(Weakness::TooShort));
        assert_eq!(check(&"xY3!".repeat(33), &ctx()), Err(Weakness::TooLong));
        for w in Weakness::ALL {
            assert_eq!(Weakness::of(&w.message()), Some(w));
        }
    }
}
