//! A portal's task categories (the operator's systems post tasks in them; digests group by
//! them): listed in their order, added, edited, moved, removed. Saving sends the whole list; a
//! category that still holds tasks is not removed, and the page says why.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::catalog::{self, Message};
use crate::domain::FieldErrors;
use crate::domain::tasks::CategoryInput;
use crate::storage::directory::Portal;
use crate::storage::tasks::Category;
use crate::usecases::directory as dir_uc;
use crate::usecases::notifications as uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Staff, done};
use crate::web::page::{Id, PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new().route("/console/portals/{id}/categories", get(show).post(save))
}

/// Empty rows under the list, for new categories.
const NEW_ROWS: usize = 2;
/// The most rows a form may send.
const MAX_ROWS: usize = 200;

/// One row of the form, as stored or as typed.
#[derive(Default)]
struct Row {
    position: String,
    key: String,
    name_en: String,
    name_de: String,
    description_en: String,
    description_de: String,
    /// Stored already (it has a Remove box).
    existing: bool,
    remove: bool,
    /// Its errors, by field (`key`, `name_en`, ..., `position`).
    errors: Vec<(String, String)>,
}

impl Row {
    fn of(c: &Category, position: usize) -> Self {
        Row {
            position: position.to_string(),
            key: c.key.clone(),
            name_en: c.name_en.clone(),
            name_de: c.name_de.clone(),
            description_en: c.description_en.clone(),
            description_de: c.description_de.clone(),
            existing: true,
            ..Row::default()
        }
    }

    fn blank(position: usize) -> Self {
        Row {
            position: position.to_string(),
            ..Row::default()
        }
    }

    fn is_blank(&self) -> bool {
        [
            &self.key,
            &self.name_en,
            &self.name_de,
            &self.description_en,
            &self.description_de,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The rows of a sent form: fields `c{row}_{field}`, in row order.
fn parse_rows(body: &[u8]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (k, v) in form_urlencoded::parse(body) {
        let Some(rest) = k.strip_prefix('c') else {
            continue;
        };
        let Some((n, field)) = rest.split_once('_') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else {
            continue;
        };
        if n >= MAX_ROWS {
            continue;
        }
        if rows.len() <= n {
            rows.resize_with(n + 1, Row::default);
        }
        let row = &mut rows[n];
        let v = v.into_owned();
        match field {
            "position" => row.position = v,
            "key" => row.key = v,
            "name_en" => row.name_en = v,
            "name_de" => row.name_de = v,
            "description_en" => row.description_en = v,
            "description_de" => row.description_de = v,
            "existing" => row.existing = true,
            "remove" => row.remove = true,
            _ => {}
        }
    }
    rows
}

/// The list to save: the rows that are neither blank nor removed, by position (rows without
/// one keep their place at the end). Also, for each, the row it came from.
fn to_list(rows: &mut [Row], code: &str) -> Result<(Vec<CategoryInput>, Vec<usize>), ()> {
    let mut bad = false;
    let mut kept: Vec<(i64, usize)> = Vec::new();
    for (i, r) in rows.iter_mut().enumerate() {
        if r.remove || r.is_blank() {
            continue;
        }
        let position = match r.position.trim() {
            "" => i64::MAX,
            p => match p.parse::<i64>() {
                Ok(n) => n,
                Err(_) => {
                    r.errors.push((
                        "position".into(),
                        catalog::tr(code, "categories-whole-number"),
                    ));
                    bad = true;
                    continue;
                }
            },
        };
        kept.push((position, i));
    }
    if bad {
        return Err(());
    }
    kept.sort();
    let order: Vec<usize> = kept.into_iter().map(|(_, i)| i).collect();
    let list = order
        .iter()
        .map(|&i| {
            let r = &rows[i];
            CategoryInput {
                key: r.key.clone(),
                name_en: r.name_en.clone(),
                name_de: r.name_de.clone(),
                description_en: r.description_en.clone(),
                description_de: r.description_de.clone(),
            }
        })
        .collect();
    Ok((list, order))
}

/// Puts the use case's errors (`categories[i].field`) on the rows they are about; the rest
/// (`categories`: a category that still holds tasks) are for the top of the page.
fn place_errors(
    rows: &mut [Row],
    order: &[usize],
    errors: &FieldErrors,
    code: &str,
) -> Vec<String> {
    let mut general = Vec::new();
    for e in &errors.0 {
        let on_row = e
            .field
            .strip_prefix("categories[")
            .and_then(|r| r.split_once("]."))
            .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
            .and_then(|(i, f)| Some((*order.get(i)?, f)));
        match on_row {
            Some((row, field)) => rows[row].errors.push((field.to_string(), e.text(code))),
            None => general.push(e.text(code)),
        }
    }
    general
}

#[derive(Template, WebTemplate)]
#[template(path = "console/portal_categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    portal: Portal,
    rows: Vec<Row>,
    /// Errors about the whole list (a category that still holds tasks).
    refused: Vec<String>,
}

fn categories_page(
    staff: &Staff,
    portal: Portal,
    mut rows: Vec<Row>,
    refused: Vec<String>,
    status: StatusCode,
) -> Response {
    let next = rows.len() + 1;
    rows.extend((0..NEW_ROWS).map(|i| Row::blank(next + i)));
    (
        status,
        CategoriesPage {
            chrome: staff.chrome("portals"),
            portal,
            rows,
            refused,
        },
    )
        .into_response()
}

async fn show(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let portal = dir_uc::get_portal(&s.cx, id).await?;
    let rows = uc::categories(&s.cx, id)
        .await?
        .iter()
        .enumerate()
        .map(|(i, c)| Row::of(c, i + 1))
        .collect();
    Ok(categories_page(
        &staff,
        portal,
        rows,
        Vec::new(),
        StatusCode::OK,
    ))
}

async fn save(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let portal = dir_uc::get_portal(&s.cx, id).await?;
    let mut rows = parse_rows(&body);
    // Blank rows (the empty ones for new categories) are not shown again.
    let Ok((list, order)) = to_list(&mut rows, staff.language().as_str()) else {
        rows.retain(|r| !r.is_blank());
        return Ok(categories_page(
            &staff,
            portal,
            rows,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    Ok(
        match form_errors(uc::set_categories(&s.cx, &staff.actor, id, &list).await)? {
            Ok(saved) => done(
                &s,
                &format!("/console/portals/{id}/categories"),
                &staff.say(
                    &Message::new("flash-categories-saved")
                        .number("count", i64::try_from(saved.len()).unwrap_or(i64::MAX)),
                ),
            ),
            Err(e) => {
                let refused = place_errors(&mut rows, &order, &e, staff.language().as_str());
                rows.retain(|r| !r.is_blank());
                categories_page(
                    &staff,
                    portal,
                    rows,
                    refused,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_saved_by_position_without_the_blank_and_removed_ones() {
        let mut rows = parse_rows(
            b"csrf=x&c0_position=2&c0_key=a&c0_name_en=A&c0_existing=1\
              &c1_position=1&c1_key=b&c1_name_en=B&c1_existing=1\
              &c2_position=3&c2_key=c&c2_name_en=C&c2_existing=1&c2_remove=1\
              &c3_position=4&c3_key=&c3_name_en=\
              &c4_position=&c4_key=d&c4_name_en=D",
        );
        assert_eq!(rows.len(), 5);
        let (list, order) = to_list(&mut rows, "en").expect("valid");
        let keys: Vec<&str> = list.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, vec!["b", "a", "d"]);
        assert_eq!(order, vec![1, 0, 4]);

        let mut errors = FieldErrors::new();
        errors.add("categories[2].key", "is required");
        errors.add("categories", "`c` still holds 1 task; it cannot be removed");
        let general = place_errors(&mut rows, &order, &errors, "en");
        assert_eq!(rows[4].error("key"), Some("is required"));
        assert_eq!(general.len(), 1);
    }

    #[test]
    fn a_position_must_be_a_number() {
        let mut rows = parse_rows(b"c0_position=first&c0_key=a&c0_name_en=A");
        assert!(to_list(&mut rows, "en").is_err());
        assert_eq!(rows[0].error("position"), Some("must be a whole number"));
    }
}
