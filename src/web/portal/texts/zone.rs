//! The words of the offer to use the browser's time zone, on the portal's home page.

use crate::domain::directory::Language;

/// The offer reads "{before}<zone>{after}", with a button to use the zone and one to keep
/// the person's own.
pub struct ZoneT {
    pub before: &'static str,
    pub after: &'static str,
    pub use_it: &'static str,
    pub keep: &'static str,
}

static ZONE_EN: ZoneT = ZoneT {
    before: "Your device is set to ",
    after: ". Use it as your time zone?",
    use_it: "Use this time zone",
    keep: "Keep",
};

static ZONE_DE: ZoneT = ZoneT {
    before: "Ihr Gerät ist auf ",
    after: " eingestellt. Als Ihre Zeitzone verwenden?",
    use_it: "Diese Zeitzone verwenden",
    keep: "Beibehalten:",
};

impl ZoneT {
    pub fn of(language: Language) -> &'static ZoneT {
        match language {
            Language::De => &ZONE_DE,
            Language::En => &ZONE_EN,
        }
    }

    /// By language code, as the pages carry it (`lang`); English for any other.
    pub fn for_code(code: &str) -> &'static ZoneT {
        Self::of(Language::parse(code).unwrap_or(Language::En))
    }
}
