//! The life of a token-signing key: made 'active' (it signs; one per algorithm), 'retiring'
//! once replaced (still published and verifying for the overlap, so that tokens signed just
//! before a rotation stay valid), then 'retired' (gone from the JWKS).

use crate::domain::column::string_enum;

string_enum!(
    /// `active`: signs new tokens. `retiring`: replaced, still in the JWKS during the overlap.
    /// `retired`: out of the JWKS; its tokens no longer verify.
    KeyState { Active = "active", Retiring = "retiring", Retired = "retired" }
);

/// How long a replaced key stays in the JWKS: longer than any token it signed lives, and
/// than a relying party caches the JWKS.
pub const OVERLAP_MS: i64 = 24 * 3_600_000;

/// Whether a key that began retiring at `retiring_at` is past the overlap at `now`.
pub fn overlap_over(retiring_at: i64, now: i64) -> bool {
    now - retiring_at >= OVERLAP_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_key_stays_for_the_overlap() {
        let t = 1_000_000;
        assert!(!overlap_over(t, t));
        assert!(!overlap_over(t, t + OVERLAP_MS - 1));
        assert!(overlap_over(t, t + OVERLAP_MS));
    }
}
