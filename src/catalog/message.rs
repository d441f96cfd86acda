//! A message of the catalog with its arguments, made where a rule or a page knows what went
//! wrong and rendered where the reader's language is known: an error carries its code (the
//! key) and its arguments, never English words to be matched.

use fluent_bundle::FluentValue;

/// An argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Number(i64),
    /// A message inside a message (`line 2: { $problem }`), rendered in the same language.
    Message(Box<Message>),
}

/// A catalog key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(key: &'static str) -> Self {
        Message {
            key,
            args: Vec::new(),
        }
    }

    /// With a text argument.
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    /// With a number argument (plurals choose by it).
    pub fn number(mut self, name: &'static str, value: i64) -> Self {
        self.args.push((name, Arg::Number(value)));
        self
    }

    /// With a message as an argument.
    pub fn message(mut self, name: &'static str, value: Message) -> Self {
        self.args.push((name, Arg::Message(Box::new(value))));
        self
    }

    /// The message in the language `code`.
    pub fn render(&self, code: &str) -> String {
        if self.args.is_empty() {
            return super::tr(code, self.key);
        }
        let args: Vec<(&str, FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(name, a)| {
                let v = match a {
                    Arg::Text(t) => FluentValue::from(t.as_str()),
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Message(m) => FluentValue::from(m.render(code)),
                };
                (*name, v)
            })
            .collect();
        super::tr_args(code, self.key, &args)
    }

    /// The message in English, as the JSON API and the logs give it.
    pub fn english(&self) -> String {
        self.render(super::LANGUAGES[0])
    }
}

/// A value a page passes as an argument: numbers (plurals choose by them) and texts.
pub trait ArgValue {
    fn value(&self) -> FluentValue<'static>;
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl ArgValue for $t {
            fn value(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}

number_arg!(i32, i64, u32, u64, usize);

impl ArgValue for str {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}

impl ArgValue for String {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.clone())
    }
}

impl<T: ArgValue + ?Sized> ArgValue for &T {
    fn value(&self) -> FluentValue<'static> {
        (**self).value()
    }
}
