//! Tasks and the digests that summarize them: what a posted task and a portal's categories
//! must look like, Admit's own categories (built in, raised from the state they describe), who
//! gets which, the customers a digest covers, and how a digest groups and counts what it lists.
//! Pure: the use cases read the rows, these functions decide.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::access::{Grouping, Reach};
use super::account::{Day, Role};
use super::column::string_enum;
use super::directory::Language;
use super::validation::{FieldErrors, required_text};

/// The most tasks a digest lists in one category; the rest are counted.
pub const LISTED_PER_CATEGORY: usize = 10;

/// Admit's own categories start with this; the operator's never do.
pub const BUILTIN_PREFIX: &str = "admit.";

/// One of Admit's own categories: tasks Admit raises from its own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    pub key: &'static str,
    pub name_en: &'static str,
    pub name_de: &'static str,
    pub description_en: &'static str,
    pub description_de: &'static str,
    /// Who gets it: staff (administrators, or supervisors for their areas), an
    /// organization's admins (for their own team), or staff administrators only.
    pub for_staff: bool,
    pub for_org_admins: bool,
    pub administrators_only: bool,
}

pub const APPROVAL: &str = "admit.approval";
pub const ASSIGNMENT: &str = "admit.assignment";
pub const INVITATION_EXPIRING: &str = "admit.invitation_expiring";
pub const ACCESS_EXPIRING: &str = "admit.access_expiring";
pub const MAIL_FAILED: &str = "admit.mail_failed";

/// How far ahead an unused invitation counts as expiring.
pub const INVITATION_WINDOW_MS: i64 = 48 * 3_600_000;
/// How many days ahead a valid-until day counts as ending.
pub const ACCESS_WINDOW_DAYS: i64 = 7;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        key: APPROVAL,
        name_en: "Accounts awaiting approval",
        name_de: "Zugänge warten auf Freigabe",
        description_en: "People who confirmed their e-mail address and wait for staff to approve them.",
        description_de: "Personen, die ihre E-Mail-Adresse bestätigt haben und auf die Freigabe warten.",
        for_staff: true,
        for_org_admins: false,
        administrators_only: false,
    },
    Builtin {
        key: ASSIGNMENT,
        name_en: "Accounts awaiting a contact",
        name_de: "Zugänge ohne Kontakt",
        description_en: "Accounts no contact is linked to yet (assignment pending).",
        description_de: "Zugänge, denen noch kein Kontakt zugeordnet ist (Zuordnung ausstehend).",
        for_staff: true,
        for_org_admins: false,
        administrators_only: false,
    },
    Builtin {
        key: INVITATION_EXPIRING,
        name_en: "Invitations expiring within 48 hours",
        name_de: "Einladungen, die in 48 Stunden ablaufen",
        description_en: "Invitations not accepted yet whose link stops working within 48 hours.",
        description_de: "Noch nicht angenommene Einladungen, deren Link in 48 Stunden abläuft.",
        for_staff: true,
        for_org_admins: true,
        administrators_only: false,
    },
    Builtin {
        key: ACCESS_EXPIRING,
        name_en: "Access ending within 7 days",
        name_de: "Zugänge, die in 7 Tagen enden",
        description_en: "Accounts whose valid-until day is within the next 7 days.",
        description_de: "Zugänge, deren Ablaufdatum in den nächsten 7 Tagen liegt.",
        for_staff: true,
        for_org_admins: true,
        administrators_only: false,
    },
    Builtin {
        key: MAIL_FAILED,
        name_en: "Messages that failed to send",
        name_de: "Nicht zugestellte E-Mails",
        description_en: "E-mails the outbox gave up on; they can be sent again from the outbox.",
        description_de: "E-Mails, die nicht zugestellt werden konnten; im Postausgang erneut sendbar.",
        for_staff: true,
        for_org_admins: false,
        administrators_only: true,
    },
];

pub fn builtin(key: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.key == key)
}

impl Builtin {
    pub fn name(&self, language: Language) -> &'static str {
        match language {
            Language::De => self.name_de,
            _ => self.name_en,
        }
    }
    pub fn description(&self, language: Language) -> &'static str {
        match language {
            Language::De => self.description_de,
            _ => self.description_en,
        }
    }
}

/// Who a digest is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A staff administrator: everything.
    Administrator,
    /// A supervisor: what lies in their areas.
    Supervisor,
    /// A portal account with this role.
    Account(Role),
}

/// Admit's own categories this recipient may choose and get.
pub fn builtins_for(r: Recipient) -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().filter(move |b| match r {
        Recipient::Administrator => b.for_staff,
        Recipient::Supervisor => b.for_staff && !b.administrators_only,
        Recipient::Account(Role::Admin) => b.for_org_admins,
        Recipient::Account(_) => false,
    })
}

/// Whether the operator's tasks (about customers) reach this recipient at all: staff see
/// them by area; marketing accounts never see customer data.
pub fn gets_customer_tasks(r: Recipient) -> bool {
    !matches!(r, Recipient::Account(Role::Marketing))
}

/// The customers a portal account's digest covers: an admin's whole reach; a user's, and a
/// notifications account's, assigned customers per grouping (all of a grouping without
/// assignments); a marketing account's none.
pub fn digest_customers(
    role: Role,
    reach: &Reach,
    assigned: &BTreeSet<(Grouping, i64)>,
) -> BTreeSet<i64> {
    match role {
        Role::Admin => reach.values().flatten().copied().collect(),
        Role::User | Role::Notifications => super::access::assigned_customers(reach, assigned),
        Role::Marketing => BTreeSet::new(),
    }
}

/// A category key as the operator's systems use it: 1 to 50 of `a-z 0-9 _ - .`, starting
/// with a letter or digit, never Admit's own prefix.
pub fn check_key(key: &str) -> Result<String, String> {
    let k = key.trim();
    if k.is_empty() {
        return Err("is required".into());
    }
    if k.len() > 50 {
        return Err("must be at most 50 characters".into());
    }
    let ok_first = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok_rest = k
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
    if !ok_first || !ok_rest {
        return Err("may hold only a-z, 0-9, _, - and ., and starts with a letter or digit".into());
    }
    if k.starts_with(BUILTIN_PREFIX) {
        return Err(format!(
            "`{BUILTIN_PREFIX}` is Admit's own; choose another key"
        ));
    }
    Ok(k.to_string())
}

/// A portal's category as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// What the operator's systems post tasks with (`service_due`): 1 to 50 of
    /// `a-z 0-9 _ - .`, starting with a letter or digit; `admit.` is Admit's own.
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r"^(?!admit\.)[a-z0-9][a-z0-9_.-]*$"
    )]
    pub key: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name_en: String,
    /// Defaults to the English name.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub name_de: String,
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub description_en: String,
    /// Empty: German readers see the English description.
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub description_de: String,
}

/// Checks a portal's whole list of categories; errors name `categories[i].field`.
pub fn validate_categories(list: &[CategoryInput]) -> Result<Vec<CategoryInput>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    if list.len() > 100 {
        errors.add("categories", "at most 100 categories per portal");
    }
    for (i, c) in list.iter().enumerate() {
        let f = |name: &str| format!("categories[{i}].{name}");
        let key = errors.take(&f("key"), check_key(&c.key));
        if let Some(k) = &key
            && !seen.insert(k.clone())
        {
            errors.add(&f("key"), format!("`{k}` is listed twice"));
        }
        let name_en = errors.take(&f("name_en"), required_text(&c.name_en, 100));
        let name_de = if c.name_de.trim().is_empty() {
            name_en.clone()
        } else {
            errors.take(&f("name_de"), required_text(&c.name_de, 100))
        };
        let desc_en = errors.take(
            &f("description_en"),
            super::validation::optional_text(Some(&c.description_en), 300),
        );
        // An empty German description stays empty: the English one is shown in its place.
        let desc_de = errors.take(
            &f("description_de"),
            super::validation::optional_text(Some(&c.description_de), 300),
        );
        if let (Some(key), Some(name_en), Some(name_de), Some(desc_en), Some(desc_de)) =
            (key, name_en, name_de, desc_en, desc_de)
        {
            out.push(CategoryInput {
                key,
                name_en,
                name_de,
                description_en: desc_en.unwrap_or_default(),
                description_de: desc_de.unwrap_or_default(),
            });
        }
    }
    errors.into_result().map(|_| out)
}

string_enum!(
    /// Whether a task is open or closed.
    TaskStatus { Open = "open", Closed = "closed" }
);

/// A task as posted, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTask {
    pub external_id: String,
    pub customer_id: i64,
    pub category: String,
    pub title: String,
    pub due_date: Option<Day>,
    pub link: Option<String>,
    pub status: TaskStatus,
}

/// A task as the API receives it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// The customer (an organization id) the task is about.
    #[schema(minimum = 1)]
    pub customer_id: i64,
    /// One of the portal's category keys.
    #[schema(min_length = 1, pattern = r"\S")]
    pub category: String,
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub due_date: Option<String>,
    /// Where the person deals with it (`https://...`).
    #[schema(max_length = 2000, pattern = r"^https?://[^\s\x00-\x1F\x7F-\x9F]+$")]
    pub link: Option<String>,
    /// `open` (the default) or `closed`.
    #[schema(value_type = Option<TaskStatus>)]
    pub status: Option<String>,
}

pub use crate::clock::{day_date, day_number, parse_day};

/// A link people follow: `http(s)://`, at most 2,000 characters, no spaces.
pub fn check_link(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.chars().count() > 2000 {
        return Err("must be at most 2000 characters".into());
    }
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if rest.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be a URL without spaces".into());
    }
    Ok(s.to_string())
}

/// The system's own id of a task: 1 to 200 characters, one line.
pub fn check_external_id(s: &str) -> Result<String, crate::catalog::Message> {
    required_text(s, 200)
}

pub fn validate_task(external_id: &str, t: &TaskInput) -> Result<ValidTask, FieldErrors> {
    let mut errors = FieldErrors::new();
    let external_id = errors.take("external_id", check_external_id(external_id));
    let category = errors.take(
        "category",
        match t.category.trim() {
            "" => Err("is required".to_string()),
            k => Ok(k.to_string()),
        },
    );
    let title = errors.take("title", required_text(&t.title, 300));
    let due_date = match t.due_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => errors.take("due_date", parse_day(d)),
    };
    let link = match t.link.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => errors.take("link", check_link(l)),
    };
    let status = match t.status.as_deref().map(TaskStatus::parse) {
        None => TaskStatus::Open,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            errors.add("status", "must be open or closed");
            TaskStatus::Open
        }
    };
    if t.customer_id <= 0 {
        errors.add("customer_id", "is required");
    }
    errors.into_result()?;
    Ok(ValidTask {
        external_id: external_id.expect("checked"),
        customer_id: t.customer_id,
        category: category.expect("checked"),
        title: title.expect("checked"),
        due_date,
        link,
        status,
    })
}

/// Chosen category keys as stored: sorted, comma-separated.
pub fn join_keys(keys: &BTreeSet<String>) -> String {
    keys.iter().cloned().collect::<Vec<_>>().join(",")
}

pub fn split_keys(stored: &str) -> BTreeSet<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

/// One line of a digest: a task, with what the recipient reads about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub title: String,
    /// The customer it is about (the operator's tasks), or the account (Admit's).
    pub subject: String,
    pub due: Option<Day>,
    pub link: Option<String>,
}

/// A category's part of a digest: its name, how many open tasks, the first few.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub key: String,
    pub name: String,
    pub count: usize,
    pub lines: Vec<Line>,
    /// How many are counted but not listed.
    pub more: usize,
}

/// A digest's content: each category of `order` that has tasks, in that order, with the
/// count of all its open tasks and, of the candidates given (the first few of each part it
/// was read in), the soonest due (then those without a date, in the order given), at most
/// [`LISTED_PER_CATEGORY`]. Empty: nothing to say.
pub fn compose(
    order: &[(String, String)],
    mut tasks: BTreeMap<String, (usize, Vec<Line>)>,
) -> Vec<Group> {
    let mut groups = Vec::new();
    for (key, name) in order {
        let Some((count, mut lines)) = tasks.remove(key) else {
            continue;
        };
        if count == 0 || lines.is_empty() {
            continue;
        }
        // Stable: equal due days keep the order given.
        lines.sort_by_key(|l| (l.due.is_none(), l.due));
        lines.truncate(LISTED_PER_CATEGORY.min(count));
        groups.push(Group {
            key: key.clone(),
            name: name.clone(),
            count,
            more: count - lines.len(),
            lines,
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_are_checked() {
        assert_eq!(check_key(" service_due ").unwrap(), "service_due");
        assert!(check_key("").is_err());
        assert!(check_key("Service").is_err());
        assert!(check_key("_x").is_err());
        assert!(check_key("a b").is_err());
        assert!(check_key("admit.approval").is_err());
        assert!(check_key(&"a".repeat(51)).is_err());
    }

    #[test]
    fn tasks_are_checked_field_by_field() {
        let ok = TaskInput {
            customer_id: 4,
            category: "service_due".into(),
            title: "Boiler service".into(),
            due_date: Some("2026-12-07".into()),
            link: Some("https://crm.example.com/t/1".into()),
            status: None,
        };
        let v = validate_task("crm-1", &ok).unwrap();
        assert_eq!(
            day_date(v.due_date.unwrap()).unwrap().to_string(),
            "2026-12-07"
        );
        assert_eq!(v.status, TaskStatus::Open);
        let bad = TaskInput {
            customer_id: 0,
            category: " ".into(),
            title: "x".repeat(301),
            due_date: Some("7.12.2026".into()),
            link: Some("javascript:alert(1)".into()),
            status: Some("done".into()),
        };
        let e = validate_task("a\nb", &bad).unwrap_err();
        for field in [
            "external_id",
            "category",
            "title",
            "due_date",
            "link",
            "status",
            "customer_id",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
    }

    #[test]
    fn categories_are_checked_as_a_list() {
        let c = |k: &str| CategoryInput {
            key: k.into(),
            name_en: "Service due".into(),
            ..Default::default()
        };
        let v = validate_categories(&[c("service_due")]).unwrap();
        assert_eq!(v[0].name_de, "Service due", "German defaults to English");
        let e = validate_categories(&[c("a"), c("a"), c("admit.x")]).unwrap_err();
        assert!(e.get("categories[1].key").is_some());
        assert!(e.get("categories[2].key").is_some());
    }

    #[test]
    fn who_gets_admits_own_categories() {
        let keys = |r| builtins_for(r).map(|b| b.key).collect::<Vec<_>>();
        assert_eq!(keys(Recipient::Administrator).len(), 5);
        assert!(!keys(Recipient::Supervisor).contains(&MAIL_FAILED));
        assert_eq!(
            keys(Recipient::Account(Role::Admin)),
            vec![INVITATION_EXPIRING, ACCESS_EXPIRING]
        );
        assert!(keys(Recipient::Account(Role::User)).is_empty());
        assert!(!gets_customer_tasks(Recipient::Account(Role::Marketing)));
        assert!(gets_customer_tasks(Recipient::Account(Role::Notifications)));
    }

    fn line(due: Option<Day>, n: usize) -> Line {
        Line {
            title: format!("t{n}"),
            subject: String::new(),
            due,
            link: None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Every task of a chosen category is counted once, at most ten are listed, the
        /// soonest first; unchosen categories and empty ones do not appear.
        #[test]
        fn digests_count_every_task_and_list_the_soonest(
            dues in prop::collection::vec(prop::collection::vec(prop::option::of(0i64..30), 0..25), 1..4),
            chosen in prop::collection::btree_set(0usize..4, 0..4),
        ) {
            let order: Vec<(String, String)> = chosen
                .iter()
                .map(|i| (format!("c{i}"), format!("Category {i}")))
                .collect();
            let mut tasks = BTreeMap::new();
            for (i, ds) in dues.iter().enumerate() {
                tasks.insert(
                    format!("c{i}"),
                    (ds.len(), ds.iter().enumerate().map(|(n, d)| line(*d, n)).collect::<Vec<_>>()),
                );
            }
            let groups = compose(&order, tasks);
            for g in &groups {
                let i: usize = g.key[1..].parse().unwrap();
                prop_assert!(chosen.contains(&i));
                let all = &dues[i];
                prop_assert_eq!(g.count, all.len());
                prop_assert!(g.count > 0);
                prop_assert_eq!(g.lines.len(), all.len().min(LISTED_PER_CATEGORY));
                prop_assert_eq!(g.more, g.count - g.lines.len());
                // The listed ones are the soonest: none left out is due before a listed one.
                let mut sorted: Vec<(bool, Option<i64>)> =
                    all.iter().map(|d| (d.is_none(), *d)).collect();
                sorted.sort();
                let listed: Vec<(bool, Option<i64>)> =
                    g.lines.iter().map(|l| (l.due.is_none(), l.due)).collect();
                prop_assert_eq!(&listed[..], &sorted[..listed.len()]);
            }
            let expected = chosen.iter().filter(|i| dues.get(**i).is_some_and(|d| !d.is_empty())).count();
            prop_assert_eq!(groups.len(), expected);
        }
    }
}
