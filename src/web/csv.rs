//! CSV downloads of the console's lists: UTF-8 with a byte order mark (so that Excel reads the
//! umlauts), fields quoted where they must be (RFC 4180), and no cell a spreadsheet would run
//! as a formula: a text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading `'` (OWASP's advice on CSV injection). Long lists are streamed a batch at a time,
//! never loaded at once.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The byte order mark that starts every download.
pub const BOM: &str = "\u{feff}";

/// One field, made safe and quoted when needed.
pub fn field(text: &str) -> String {
    let guarded = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    };
    if guarded.contains([',', '"', '\n', '\r', ';']) || guarded.starts_with(' ') {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One line: the fields, comma-separated, ending with CRLF.
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// The first line: each column's heading in the language `code`, from the catalog's
/// `csv-…` texts (`valid_until`: `csv-valid-until`).
pub fn head(code: &str, columns: &[&str]) -> String {
    let names: Vec<String> = columns
        .iter()
        .map(|c| crate::catalog::tr(code, &format!("csv-{}", c.replace('_', "-"))))
        .collect();
    line(&names)
}

fn headers(filename: &str) -> [(header::HeaderName, String); 3] {
    [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".into()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
        (header::CACHE_CONTROL, "no-store".into()),
    ]
}

/// A download of text made at once (a few hundred rows at most).
pub fn whole(filename: &str, text: String) -> Response {
    (headers(filename), format!("{BOM}{text}")).into_response()
}

/// A download written a batch at a time: `next(state)` gives the lines of the next batch and
/// the state after it, `None` at the end. An error ends the download early (and is logged):
/// the headers have gone out by then.
pub fn streamed<S, F, Fut>(filename: &str, head: String, state: S, next: F) -> Response
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<Option<(String, S)>>> + Send + 'static,
{
    let first =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(format!("{BOM}{head}")) });
    let rest = futures_util::stream::unfold(Some(state), move |state| {
        let step = state.map(&next);
        async move {
            match step?.await {
                Ok(Some((text, state))) => Some((Ok(text), Some(state))),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "CSV download ended early");
                    Some((
                        Err(std::io::Error::other("the download could not be finished")),
                        None,
                    ))
                }
            }
        }
    });
    use futures_util::StreamExt;
    (headers(filename), Body::from_stream(first.chain(rest))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_where_they_must_be() {
        assert_eq!(field("Anna"), "Anna");
        assert_eq!(field("Müller, Anna"), "\"Müller, Anna\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(line(&["a", "b,c", ""]), "a,\"b,c\",\r\n");
    }

    #[test]
    fn no_field_is_run_as_a_formula() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(field("+49 30 1234"), "'+49 30 1234");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("a=b"), "a=b");
    }
}
