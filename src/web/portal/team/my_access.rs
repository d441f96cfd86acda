//! "My access": what the person may reach on the portal, and through which groupings.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::domain::access::Grouping;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::team::{self, MyAccess};
use crate::web::AppState;
use crate::web::page::PageResult;
use crate::web::picker;
use crate::web::portal::page::SignedIn;
use crate::web::portal::words::Words;

#[derive(Template, WebTemplate)]
#[template(path = "portal/my_access.html")]
pub(in crate::web::portal) struct MyAccessPage {
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    csrf: String,
    portal: Portal,
    account: PortalAccount,
    role: String,
    access: MyAccess,
    /// How the groupings are named.
    labels: Vec<String>,
}

pub(in crate::web::portal) async fn my_access_page(
    State(s): State<AppState>,
    me: SignedIn,
) -> PageResult<MyAccessPage> {
    let language = me.language();
    let access = team::my_access(&s.cx, &me.account).await?;
    let labels = access
        .groupings
        .iter()
        .map(|g| {
            picker::label(
                matches!(g.grouping, Grouping::Partnership(_)),
                &g.label,
                language,
            )
        })
        .collect();
    Ok(MyAccessPage {
        words: Words::of(language),
        lang: language.as_str(),
        lang_query: me.lang_query(),
        csrf: me.csrf(),
        role: me.account.role.label().render(language.as_str()),
        portal: me.page.portal,
        account: me.account,
        access,
        labels,
    })
}
