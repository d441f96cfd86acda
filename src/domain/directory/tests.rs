//! Tests of the directory's field rules: validation of each kind of record and the parent
//! cycle check.

use super::*;
use std::collections::HashMap;

#[test]
fn cycles_are_found() {
    // 1 <- 2 <- 3 (3's parent is 2, 2's parent is 1)
    let parents: HashMap<i64, i64> = [(2, 1), (3, 2)].into();
    let parent_of = |id| parents.get(&id).copied();
    assert!(would_cycle(1, 3, parent_of));
    assert!(would_cycle(1, 1, parent_of));
    assert!(!would_cycle(3, 1, parent_of));
    assert!(!would_cycle(4, 3, parent_of));
}

#[test]
fn organization_errors_name_their_fields() {
    let err = validate_organization(&OrganizationInput {
        kind: "vendor".into(),
        name: " ".into(),
        ..Default::default()
    })
    .unwrap_err();
    assert!(err.get("kind").unwrap().contains("customer, partner"));
    assert_eq!(err.get("name"), Some("is required"));

    let err = validate_organization(&OrganizationInput {
        kind: "partner".into(),
        name: "P".into(),
        parent_id: Some(3),
        ..Default::default()
    })
    .unwrap_err();
    assert!(err.get("parent_id").is_some());
}

#[test]
fn contacts_need_an_organization_and_a_valid_address() {
    let err = validate_contact(&ContactInput {
        name: "Erika".into(),
        email: Some("erika-at-example".into()),
        language: Some("fr".into()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.get("organization_id"), Some("is required"));
    assert!(err.get("email").unwrap().contains("valid e-mail address"));
    assert!(err.get("language").is_some());

    let ok = validate_contact(&ContactInput {
        organization_id: Some(1),
        name: " Erika Muster ".into(),
        email: Some("Erika@Example.com".into()),
        phone: Some("+49 30 1234567".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(ok.name, "Erika Muster");
    assert_eq!(ok.email.unwrap().as_str(), "erika@example.com");
    assert_eq!(ok.language, Language::En);
}

#[test]
fn portals_default_to_seven_day_invitations_and_refuse_duplicate_modules() {
    let mut input = PortalInput {
        name: "Customer portal".into(),
        kind: "customer".into(),
        base_url: "https://portal.example.com/".into(),
        registration_mode: "self_manual".into(),
        modules: vec![ModuleInput {
            name: "Invoices".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let ok = validate_portal(&input).unwrap();
    assert_eq!(ok.invitation_lifetime_days, 7);
    assert_eq!(ok.base_url, "https://portal.example.com");
    input.modules.push(ModuleInput {
        name: "invoices".into(),
        admin_only: true,
        ..Default::default()
    });
    input.base_url = "ftp://x".into();
    let err = validate_portal(&input).unwrap_err();
    assert!(err.get("modules[1].name").is_some());
    assert!(err.get("base_url").is_some());
}

#[test]
fn german_names_are_optional_kept_when_not_given_and_checked_like_names() {
    let mut input = PortalInput {
        name: "Customer portal".into(),
        kind: "customer".into(),
        base_url: "https://portal.example.com".into(),
        registration_mode: "self_manual".into(),
        modules: vec![
            ModuleInput {
                name: "Invoices".into(),
                name_de: Some(" Rechnungen ".into()),
                ..Default::default()
            },
            ModuleInput {
                name: "Pricing".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let ok = validate_portal(&input).unwrap();
    assert_eq!(ok.name_de, None, "not given: unchanged");
    assert_eq!(ok.modules[0].name_de.as_deref(), Some("Rechnungen"));
    assert_eq!(ok.modules[1].name_de, None);
    input.name_de = Some("  ".into());
    assert_eq!(
        validate_portal(&input).unwrap().name_de.as_deref(),
        Some("")
    );
    input.name_de = Some("K".repeat(101));
    input.modules[1].name_de = Some("Preis\u{7}".into());
    let err = validate_portal(&input).unwrap_err();
    assert!(err.get("name_de").is_some());
    assert!(err.get("modules[1].name_de").is_some());
    assert!(err.get("name").is_none());
}

#[test]
fn a_name_is_shown_in_german_when_it_has_one_else_the_name_itself() {
    assert_eq!(name_in("Invoices", Some("Rechnungen"), "de"), "Rechnungen");
    assert_eq!(name_in("Invoices", Some("Rechnungen"), "en"), "Invoices");
    assert_eq!(name_in("Invoices", None, "de"), "Invoices");
    assert_eq!(name_in("Invoices", Some(""), "de"), "Invoices");
}
