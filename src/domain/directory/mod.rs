//! The directory: areas, organizations, partnerships, contacts and portals, and the rules
//! their fields follow.

use serde::{Deserialize, Serialize};

use super::email::EmailAddress;
use super::validation::{FieldErrors, Message, optional_text, required_text};

pub const NAME_MAX: usize = 200;
pub const EXTERNAL_ID_MAX: usize = 200;
pub const PHONE_MAX: usize = 40;
pub const URL_MAX: usize = 500;
pub const MODULES_MAX: usize = 50;

use super::column::string_enum;

string_enum!(
    /// A customer (may have sub-accounts) or a partner (holds partnerships).
    OrganizationKind { Customer = "customer", Partner = "partner" }
);
string_enum!(
    /// What kind of portal; shown as the access's source.
    PortalKind { Customer = "customer", Installer = "installer", Partner = "partner" }
);
string_enum!(
    /// How people come to have an account on a portal.
    RegistrationMode {
        InvitationOnly = "invitation_only",
        SelfAutomatic = "self_automatic",
        SelfManual = "self_manual",
    }
);
string_enum!(
    /// The languages Admit speaks to people in.
    Language { En = "en", De = "de" }
);

impl Language {
    /// The language's own name, as a choice of languages shows it on every page.
    pub fn label(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::De => "Deutsch",
        }
    }
}

fn check_external_id(value: Option<&str>) -> Result<Option<String>, Message> {
    optional_text(value, EXTERNAL_ID_MAX)
}

/// An organization named by its id or by its external id, as a parent or a contact's: `None`
/// when neither is given, `Err` (noted in `errors`) when both are.
fn by_id_or_external_id(
    errors: &mut FieldErrors,
    (id_field, id): (&str, Option<i64>),
    (external_field, external_id): (&str, Option<&str>),
) -> Result<Option<OrganizationRef>, ()> {
    let external_id = errors.take(external_field, check_external_id(external_id));
    match (id, external_id.flatten()) {
        (Some(_), Some(_)) => {
            errors.add(
                external_field,
                format!("give either {id_field} or {external_field}, not both"),
            );
            Err(())
        }
        (Some(id), None) => Ok(Some(OrganizationRef::Id(id))),
        (None, Some(ext)) => Ok(Some(OrganizationRef::ExternalId(ext))),
        (None, None) => Ok(None),
    }
}

/// An area, as entered.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidArea {
    pub name: String,
}

pub fn validate_area(input: &AreaInput) -> Result<ValidArea, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&input.name, 100));
    errors.into_result()?;
    Ok(ValidArea {
        name: name.unwrap_or_default(),
    })
}

/// An organization, as entered. References are checked by the use case.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    /// `customer` or `partner`.
    #[schema(value_type = OrganizationKind)]
    pub kind: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// The parent customer, for a sub-account.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// The parent customer by its external id (instead of `parent_id`).
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub parent_external_id: Option<String>,
    #[serde(default)]
    pub area_id: Option<i64>,
    /// The organization's id in the CRM.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub external_id: Option<String>,
}

/// Where an organization's parent is to be found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ParentRef {
    None,
    Id(i64),
    ExternalId(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidOrganization {
    pub kind: OrganizationKind,
    pub name: String,
    pub parent: ParentRef,
    pub area_id: Option<i64>,
    pub external_id: Option<String>,
}

pub fn validate_organization(input: &OrganizationInput) -> Result<ValidOrganization, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = errors.take("kind", OrganizationKind::parse(&input.kind));
    let name = errors.take("name", required_text(&input.name, NAME_MAX));
    let external_id = errors.take(
        "external_id",
        check_external_id(input.external_id.as_deref()),
    );
    let parent = match by_id_or_external_id(
        &mut errors,
        ("parent_id", input.parent_id),
        ("parent_external_id", input.parent_external_id.as_deref()),
    ) {
        Ok(Some(OrganizationRef::Id(id))) => ParentRef::Id(id),
        Ok(Some(OrganizationRef::ExternalId(ext))) => ParentRef::ExternalId(ext),
        Ok(None) | Err(()) => ParentRef::None,
    };
    if kind == Some(OrganizationKind::Partner) && parent != ParentRef::None {
        errors.add(
            "parent_id",
            "only a customer can be a sub-account; a partner has no parent",
        );
    }
    errors.into_result()?;
    Ok(ValidOrganization {
        kind: kind.expect("checked"),
        name: name.expect("checked"),
        parent,
        area_id: input.area_id,
        external_id: external_id.flatten(),
    })
}

/// True when making `parent` the parent of `org` would close a cycle. `parent_of` answers
/// the current parent of an organization.
pub fn would_cycle(org: i64, parent: i64, mut parent_of: impl FnMut(i64) -> Option<i64>) -> bool {
    let mut current = Some(parent);
    let mut steps = 0;
    while let Some(id) = current {
        if id == org {
            return true;
        }
        steps += 1;
        if steps > 10_000 {
            // A cycle already in the data; refuse rather than loop.
            return true;
        }
        current = parent_of(id);
    }
    false
}

/// A contact, as entered.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// The organization by its external id (instead of `organization_id`).
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub organization_external_id: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub phone: Option<String>,
    /// `en` or `de`; English when not given.
    #[serde(default)]
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
    /// The contact's id in the CRM.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum OrganizationRef {
    Id(i64),
    ExternalId(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidContact {
    pub organization: OrganizationRef,
    pub name: String,
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    pub language: Language,
    pub external_id: Option<String>,
}

pub fn validate_phone(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(phone) = optional_text(value, PHONE_MAX)? else {
        return Ok(None);
    };
    let ok_chars = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-./".contains(c));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !ok_chars || digits < 3 {
        return Err("must be a phone number: digits, spaces and + ( ) - . / only".into());
    }
    Ok(Some(phone))
}

pub fn validate_contact(input: &ContactInput) -> Result<ValidContact, FieldErrors> {
    let mut errors = FieldErrors::new();
    let organization = match by_id_or_external_id(
        &mut errors,
        ("organization_id", input.organization_id),
        (
            "organization_external_id",
            input.organization_external_id.as_deref(),
        ),
    ) {
        Ok(Some(found)) => Some(found),
        Ok(None) => {
            errors.add("organization_id", "is required");
            None
        }
        Err(()) => None,
    };
    let name = errors.take("name", required_text(&input.name, NAME_MAX));
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => errors.take("email", EmailAddress::parse(e)),
    };
    let phone = errors.take("phone", validate_phone(input.phone.as_deref()));
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => Some(Language::En),
        Some(l) => errors.take("language", Language::parse(l)),
    };
    let external_id = errors.take(
        "external_id",
        check_external_id(input.external_id.as_deref()),
    );
    errors.into_result()?;
    Ok(ValidContact {
        organization: organization.expect("checked"),
        name: name.expect("checked"),
        email,
        phone: phone.flatten(),
        language: language.expect("checked"),
        external_id: external_id.flatten(),
    })
}

/// A partnership, as entered.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnershipInput {
    pub partner_id: i64,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub external_id: Option<String>,
    /// The customers this partnership holds; replaces the current set.
    #[serde(default)]
    #[schema(max_items = 100000)]
    pub customer_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidPartnership {
    pub partner_id: i64,
    pub name: String,
    pub external_id: Option<String>,
    pub customer_ids: Vec<i64>,
}

pub fn validate_partnership(input: &PartnershipInput) -> Result<ValidPartnership, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&input.name, NAME_MAX));
    let external_id = errors.take(
        "external_id",
        check_external_id(input.external_id.as_deref()),
    );
    if input.customer_ids.len() > 100_000 {
        errors.add("customer_ids", "must hold at most 100000 customers");
    }
    errors.into_result()?;
    let mut customer_ids = input.customer_ids.clone();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    Ok(ValidPartnership {
        partner_id: input.partner_id,
        name: name.expect("checked"),
        external_id: external_id.flatten(),
        customer_ids,
    })
}

/// A portal module, as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleInput {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// The module's name in German, shown to people who read German (the name above stays
    /// what grants, decisions and tokens name it by). Not given: the German name the module of
    /// this name has now (none for a new one); empty: none, the name is shown.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub name_de: Option<String>,
    /// Only an organization's admins see it (Pricing, Payment, User management).
    #[serde(default)]
    pub admin_only: bool,
    /// Marketing material: the only modules a marketing account may be given.
    #[serde(default)]
    pub marketing: bool,
}

/// A portal, as entered.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalInput {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// The portal's name in German, shown to people who read German. Not given: unchanged
    /// (none for a new portal); empty: none, the name is shown.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub name_de: Option<String>,
    /// `customer`, `installer` or `partner`.
    #[schema(value_type = PortalKind)]
    pub kind: String,
    #[schema(
        max_length = 500,
        pattern = r"^\s*https?://[^\s/?#@]+([/?#][^\x00-\x1F\x7F-\x9F]*)?$"
    )]
    pub base_url: String,
    /// `invitation_only`, `self_automatic` or `self_manual`.
    #[schema(value_type = RegistrationMode)]
    pub registration_mode: String,
    /// Whether self-registration may create a contact when none matches.
    #[serde(default)]
    pub self_registration_creates_contact: bool,
    /// When someone with an expired link asks for a new one: tell staff (who send it), instead
    /// of sending it again at once.
    #[serde(default)]
    pub notify_staff_on_new_link: bool,
    /// Days an invitation link stays valid; 7 when not given.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 90)]
    pub invitation_lifetime_days: Option<i64>,
    /// `en` or `de`; English when not given.
    #[serde(default)]
    #[schema(value_type = Option<Language>)]
    pub default_language: Option<String>,
    /// The time zone new accounts on the portal take, an IANA name such as `Europe/Berlin`.
    /// When not given: UTC for a new portal, unchanged for an existing one.
    #[serde(default)]
    #[schema(example = "Europe/Berlin", max_length = 64)]
    pub default_time_zone: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub modules: Vec<ModuleInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidPortal {
    pub name: String,
    /// The German name: `None` when not given (unchanged), `Some("")` to remove it.
    pub name_de: Option<String>,
    pub kind: PortalKind,
    pub base_url: String,
    pub registration_mode: RegistrationMode,
    pub self_registration_creates_contact: bool,
    pub notify_staff_on_new_link: bool,
    pub invitation_lifetime_days: i64,
    pub default_language: Language,
    /// Its canonical name; `None` when not given (UTC for a new portal, else unchanged).
    pub default_time_zone: Option<String>,
    pub modules: Vec<ModuleInput>,
}

pub fn validate_url(value: &str) -> Result<String, String> {
    let url = required_text(value, URL_MAX)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "must start with https:// or http://".to_string())?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(' ') || host.contains('@') {
        return Err("must be a web address like https://portal.example.com".into());
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A name in another language, as given: `None` when not given, `Some("")` when given empty
/// (no translation), else the name checked like any name.
fn translation(value: Option<&str>) -> Result<Option<String>, Message> {
    match value {
        None => Ok(None),
        Some(v) => optional_text(Some(v), 100).map(|t| Some(t.unwrap_or_default())),
    }
}

/// The name to show in the language `code`: the translation for it when there is one, else
/// the name itself (the default, English one).
pub fn name_in<'a>(name: &'a str, name_de: Option<&'a str>, code: &str) -> &'a str {
    match name_de {
        Some(de) if code == Language::De.as_str() && !de.trim().is_empty() => de,
        _ => name,
    }
}

pub fn validate_portal(input: &PortalInput) -> Result<ValidPortal, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&input.name, 100));
    let name_de = errors.take("name_de", translation(input.name_de.as_deref()));
    let kind = errors.take("kind", PortalKind::parse(&input.kind));
    let base_url = errors.take("base_url", validate_url(&input.base_url));
    let registration_mode = errors.take(
        "registration_mode",
        RegistrationMode::parse(&input.registration_mode),
    );
    let lifetime = input.invitation_lifetime_days.unwrap_or(7);
    if !(1..=90).contains(&lifetime) {
        errors.add("invitation_lifetime_days", "must be between 1 and 90 days");
    }
    let default_language = match input.default_language.as_deref().map(str::trim) {
        None | Some("") => Some(Language::En),
        Some(l) => errors.take("default_language", Language::parse(l)),
    };
    let default_time_zone = match input.default_time_zone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(z) => errors.take("default_time_zone", super::validation::time_zone(z)),
    };
    let mut modules: Vec<ModuleInput> = Vec::new();
    if input.modules.len() > MODULES_MAX {
        errors.add(
            "modules",
            format!("a portal has at most {MODULES_MAX} modules"),
        );
    }
    for (i, m) in input.modules.iter().enumerate() {
        let field = format!("modules[{i}].name");
        let name_de = errors.take(
            &format!("modules[{i}].name_de"),
            translation(m.name_de.as_deref()),
        );
        match required_text(&m.name, 100) {
            Ok(n) => {
                if modules.iter().any(|x| x.name.eq_ignore_ascii_case(&n)) {
                    errors.add(&field, format!("the module {n} is listed twice"));
                } else if let Some(name_de) = name_de {
                    modules.push(ModuleInput {
                        name: n,
                        name_de,
                        admin_only: m.admin_only,
                        marketing: m.marketing,
                    });
                }
            }
            Err(e) => errors.add(&field, e),
        }
    }
    errors.into_result()?;
    Ok(ValidPortal {
        name: name.expect("checked"),
        name_de: name_de.expect("checked"),
        kind: kind.expect("checked"),
        base_url: base_url.expect("checked"),
        registration_mode: registration_mode.expect("checked"),
        self_registration_creates_contact: input.self_registration_creates_contact,
        notify_staff_on_new_link: input.notify_staff_on_new_link,
        invitation_lifetime_days: lifetime,
        default_language: default_language.expect("checked"),
        default_time_zone,
        modules,
    })
}

#[cfg(test)]
mod tests;
