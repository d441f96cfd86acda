//! The one layout every e-mail made of parts sits in: the HTML body (the portal's name, the
//! greeting, the paragraphs, the digest's task list, a real button, the closing) and the text
//! body, both made from the same parts. What staff wrote is escaped for HTML here, outside the
//! `{{ }}` and `{% %}` tags; the values are escaped when the message is rendered.

use super::parts::MailParts;
use super::templates::{Event, MailText};
use crate::domain::directory::Language;

const BUTTON_STYLE: &str = "background:#2456c7;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block;font-weight:bold";
const LINK_STYLE: &str = "color:#2456c7";
const QUIET_STYLE: &str = "font-size:13px;color:#5d6677";

/// The subject, HTML body and text body made from `parts` for `event` in `language`.
pub fn build(parts: &MailParts, event: &Event, language: Language) -> MailText {
    let links = event.links();
    let button = parts
        .button
        .as_ref()
        .filter(|b| links.contains(&b.link.as_str()));

    let mut html = String::new();
    let mut text = TextBody::default();
    let greeting = greeting(&parts.greeting);
    html.push_str(&blocks_html(&greeting, &links));
    text.push(&greeting);
    for paragraph in &parts.paragraphs {
        html.push_str(&blocks_html(paragraph, &links));
        text.push(paragraph);
    }
    if event.lists_tasks() {
        let words = ListWords::of(language);
        html.push_str(&task_list_html(&words));
        text.list(&task_list_text(&words));
    }
    if let Some(b) = button {
        let label = one_line(&b.label);
        html.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{{{{ {link} }}}}\" style=\"{BUTTON_STYLE}\">{label}</a></p>\n\
             <p style=\"{QUIET_STYLE}\">{url}</p>\n",
            link = b.link,
            label = inline_html(&label, &[]),
            url = inline_html(&format!("{{{{ {} }}}}", b.link), &links),
        ));
        text.push(&format!("{{{{ {} }}}}", b.link));
    }
    html.push_str(&blocks_html(&parts.closing, &links));
    text.push(&parts.closing);
    MailText {
        subject: one_line(&parts.subject),
        html: frame(&html, language),
        text: text.0 + "\n",
    }
}

/// The text body: its parts a blank line apart.
#[derive(Default)]
struct TextBody(String, bool);

impl TextBody {
    fn push(&mut self, part: &str) {
        let part = part.trim();
        if part.is_empty() {
            return;
        }
        if !self.0.is_empty() {
            // After the task list, whose every line ends with a line end, one more is enough.
            self.0.push_str(if self.1 { "\n" } else { "\n\n" });
        }
        self.0.push_str(part);
        self.1 = false;
    }

    /// The task list, right below the paragraph that announces it.
    fn list(&mut self, list: &str) {
        self.0.push_str(list);
        self.1 = true;
    }
}

/// The greeting as written when it has variables of its own; else the word(s) written, then
/// the person's name when it is known, and a comma: `Hello` makes `Hello Erika Mustermann,`.
pub fn greeting(written: &str) -> String {
    let g = written.trim();
    if g.is_empty() || g.contains("{{") || g.contains("{%") {
        return g.to_string();
    }
    let g = g.trim_end_matches(',');
    format!("{{% if recipient_name %}}{g} {{{{ recipient_name }}}},{{% else %}}{g},{{% endif %}}")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page every HTML body sits in: the portal's name above the content.
fn frame(body: &str, language: Language) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<body style=\"margin:0;padding:24px;background:#f6f7f9;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1d2330\">\n\
         <div style=\"max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d9dde5;border-radius:8px;padding:24px\">\n\
         <p style=\"font-weight:bold;margin-top:0\">{{{{ portal_name }}}}</p>\n{body}</div>\n</body>\n</html>\n",
        language.as_str()
    )
}

/// A text as HTML paragraphs: a blank line starts a paragraph, a line end is a line break.
fn blocks_html(source: &str, links: &[&str]) -> String {
    let source = source.replace("\r\n", "\n");
    let mut out = String::new();
    for block in source
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        let lines: Vec<String> = block.lines().map(|l| inline_html(l, links)).collect();
        out.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
    }
    out
}

/// One line of text as HTML: the literal parts escaped, the `{{ }}` and `{% %}` tags kept, and
/// a tag that prints one of `links` made a link to that address.
fn inline_html(line: &str, links: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('{') {
        let (lit, tail) = rest.split_at(start);
        out.push_str(&escape(lit));
        let close = if tail.starts_with("{{") {
            Some("}}")
        } else if tail.starts_with("{%") {
            Some("%}")
        } else {
            None
        };
        match close.and_then(|c| tail.find(c).map(|i| i + c.len())) {
            Some(end) => {
                let tag = &tail[..end];
                let printed = tag
                    .strip_prefix("{{")
                    .and_then(|t| t.strip_suffix("}}"))
                    .map(str::trim);
                match printed {
                    Some(name) if links.contains(&name) => out.push_str(&format!(
                        "<a href=\"{tag}\" style=\"{LINK_STYLE}\">{tag}</a>"
                    )),
                    _ => out.push_str(tag),
                }
                rest = &tail[end..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The words of the digest's task list.
struct ListWords {
    due: &'static str,
    more: &'static str,
}

impl ListWords {
    fn of(language: Language) -> Self {
        match language {
            Language::De => ListWords {
                due: "fällig am",
                more: "und {{ group.more }} weitere",
            },
            _ => ListWords {
                due: "due",
                more: "and {{ group.more }} more",
            },
        }
    }
}

/// The digest's tasks, group by group, each task a link when it has one.
fn task_list_html(w: &ListWords) -> String {
    format!(
        "{{% for group in groups %}}<h3 style=\"font-size:16px;margin:20px 0 6px\">{{{{ group.name }}}} <span style=\"color:#5d6677;font-weight:normal\">({{{{ group.count }}}})</span></h3>\n\
         <ul style=\"margin:0;padding-left:20px\">\n\
         {{% for line in group.lines %}}<li>{{% if line.link %}}<a href=\"{{{{ line.link }}}}\" style=\"{LINK_STYLE}\">{{{{ line.title }}}}</a>{{% else %}}{{{{ line.title }}}}{{% endif %}}{{% if line.subject %}} <span style=\"color:#5d6677\">({{{{ line.subject }}}})</span>{{% endif %}}{{% if line.due %}}, {due} {{{{ line.due }}}}{{% endif %}}</li>\n\
         {{% endfor %}}{{% if group.more %}}<li style=\"color:#5d6677\">{more}</li>{{% endif %}}\n\
         </ul>\n{{% endfor %}}\n",
        due = w.due,
        more = w.more,
    )
}

/// The digest's tasks as text: a group's name and count, then a line per task.
fn task_list_text(w: &ListWords) -> String {
    format!(
        "\n{{% for group in groups %}}\n{{{{ group.name }}}}: {{{{ group.count }}}}\n\
         {{% for line in group.lines %}}- {{{{ line.title }}}}{{% if line.subject %}} ({{{{ line.subject }}}}){{% endif %}}{{% if line.due %}}, {due} {{{{ line.due }}}}{{% endif %}}{{% if line.link %}}\n  {{{{ line.link }}}}{{% endif %}}\n\
         {{% endfor %}}{{% if group.more %}}  {more}\n{{% endif %}}{{% endfor %}}",
        due = w.due,
        more = w.more,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::parts::Button;
    use crate::mail::templates::{event, render};
    use serde_json::json;

    fn parts() -> MailParts {
        MailParts {
            subject: "Welcome\nto {{ portal_name }}".into(),
            greeting: "Hello {{ recipient_name }},".into(),
            paragraphs: vec!["Fish & chips <b>now</b>\nsecond line".into()],
            button: Some(Button {
                label: "Log <in>".into(),
                link: "login_url".into(),
            }),
            closing: "Questions? {{ portal_url }}\n\nBye".into(),
        }
    }

    #[test]
    fn the_layout_escapes_what_staff_wrote_and_makes_a_real_button() {
        let t = build(&parts(), event("approved").unwrap(), Language::En);
        assert_eq!(t.subject, "Welcome to {{ portal_name }}");
        assert!(
            t.html
                .contains("<p>Fish &amp; chips &lt;b&gt;now&lt;/b&gt;<br>\nsecond line</p>")
        );
        assert!(t.html.contains(&format!(
            "<a href=\"{{{{ login_url }}}}\" style=\"{BUTTON_STYLE}\">Log &lt;in&gt;</a>"
        )));
        assert!(t.html.contains("<a href=\"{{ portal_url }}\""));
        assert!(t.html.contains("<html lang=\"en\">"));
        assert_eq!(
            t.text,
            "Hello {{ recipient_name }},\n\nFish & chips <b>now</b>\nsecond line\n\n{{ login_url }}\n\nQuestions? {{ portal_url }}\n\nBye\n"
        );
    }

    #[test]
    fn values_are_escaped_when_rendered() {
        let t = build(&parts(), event("approved").unwrap(), Language::En);
        let vars = json!({
            "recipient_name": "<script>alert(1)</script>",
            "portal_name": "P", "portal_url": "https://p.example",
            "login_url": "https://p.example/login", "message": "",
        });
        let r = render(&t, &vars).unwrap();
        assert!(
            r.html
                .contains("Hello &lt;script&gt;alert(1)&lt;&#x2f;script&gt;,")
        );
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("Hello <script>alert(1)</script>,"));
    }

    #[test]
    fn a_greeting_without_variables_is_followed_by_the_name() {
        let mut p = parts();
        p.greeting = "Good morning".into();
        let t = build(&p, event("approved").unwrap(), Language::En);
        let vars = |name: &str| {
            json!({"recipient_name": name, "portal_name": "P", "portal_url": "u",
                   "login_url": "l", "message": ""})
        };
        let r = render(&t, &vars("Erika")).unwrap();
        assert!(r.text.starts_with("Good morning Erika,\n\n"), "{}", r.text);
        assert!(r.html.contains("<p>Good morning Erika,</p>"));
        let r = render(&t, &vars("")).unwrap();
        assert!(r.text.starts_with("Good morning,\n\n"), "{}", r.text);
    }

    #[test]
    fn a_button_to_a_link_the_event_lacks_is_left_out() {
        let t = build(&parts(), event("declined").unwrap(), Language::De);
        assert!(!t.html.contains("login_url") && !t.text.contains("login_url"));
        assert!(t.html.contains("<html lang=\"de\">"));
    }
}
