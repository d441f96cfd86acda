//! Enums that are stored as their text in a TEXT column, on both engines.
//!
//! `string_enum!` declares one (its values, `as_str`, `parse` with a field message, `Display`,
//! serde and the API schema); `status_column!` gives any enum with `ALL` and `as_str` its sqlx
//! `Type`, `Encode` and `Decode`, so a row with a text that names no value fails to decode
//! instead of travelling on as a string.

/// Binds and reads an enum (with `ALL` and `as_str`) as the text of a TEXT column.
macro_rules! status_column {
    ($name:ident) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| format!("{} is not a {}", text, stringify!($name)).into())
            }
        }
    };
}

/// An enum of snake_case values that people and programs send as text: `parse` trims and
/// answers a field message ("is required", "must be one of: " the values in order).
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::catalog::Message> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    "" => Err($crate::catalog::Message::new("error-required")),
                    _ => {
                        let values: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        Err($crate::catalog::Message::new("error-one-of")
                            .text("values", values.join(", ")))
                    }
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::domain::column::status_column!($name);
    };
}

pub(crate) use {status_column, string_enum};
