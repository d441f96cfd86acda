//! The sample application registered as a confidential client of the customer portal (through
//! the use case the API uses) and started on a port of its own. At every start the client's
//! addresses follow the port and its secret is renewed: the secret is never kept.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::describe;
use super::relying_party::Settings;
use crate::domain::oidc::clients::{ClientKind, OidcScope, SigningAlg};
use crate::usecases::oidc::clients::{self, ClientUpdateInput, NewClientInput};
use crate::usecases::{Actor, Ctx, directory as dir};

pub const CLIENT_NAME: &str = "Sample customer portal";
const PORTAL_NAME: &str = "Customer portal";

/// The sample application, serving.
pub struct SampleApp {
    /// Its address, such as `http://127.0.0.1:8081`.
    pub url: String,
    pub client_id: String,
    pub task: JoinHandle<std::io::Result<()>>,
}

/// Where the sample application listens beside Admit at `admit`: the next port (any free port
/// when Admit's was chosen by the system), on the loopback address when Admit listens on all.
pub fn beside(admit: SocketAddr) -> SocketAddr {
    let ip = if admit.ip().is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        admit.ip()
    };
    let next = match admit.port() {
        0 | u16::MAX => 0,
        p => p + 1,
    };
    SocketAddr::new(ip, next)
}

/// Registers the sample application for the customer portal of the demo's data and serves it
/// at `listen` (any free port of its address when that one is taken) until `shutdown`
/// completes. `cx` is the served Admit's: the issuer is under its public URL.
pub async fn start(
    cx: &Ctx,
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<SampleApp> {
    let listener = match TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(_) => TcpListener::bind(SocketAddr::new(listen.ip(), 0))
            .await
            .context("a port for the sample application")?,
    };
    let url = format!("http://{}", listener.local_addr()?);
    let portal = dir::list_portals(cx)
        .await
        .map_err(describe)?
        .into_iter()
        .find(|p| p.name == PORTAL_NAME)
        .context("the demo's customer portal")?;
    let actor = Actor::system("demo");
    let redirect_uris = vec![format!("{url}/callback")];
    let post_logout_redirect_uris = vec![format!("{url}/")];
    let scopes = vec![OidcScope::Openid, OidcScope::Email, OidcScope::Profile];
    let existing = clients::list(cx, &actor, portal.id)
        .await
        .map_err(describe)?
        .into_iter()
        .find(|c| c.name == CLIENT_NAME);
    let registered = match existing {
        Some(client) => {
            clients::update(
                cx,
                &actor,
                client.id,
                &ClientUpdateInput {
                    name: CLIENT_NAME.into(),
                    redirect_uris,
                    post_logout_redirect_uris,
                    backchannel_logout_uri: None,
                    scopes,
                    signing_alg: SigningAlg::Es256,
                    active: true,
                },
            )
            .await
            .map_err(describe)?;
            clients::rotate_secret(cx, &actor, client.id)
                .await
                .map_err(describe)?
        }
        None => clients::create(
            cx,
            &actor,
            portal.id,
            &NewClientInput {
                name: CLIENT_NAME.into(),
                kind: ClientKind::Confidential,
                redirect_uris,
                post_logout_redirect_uris,
                backchannel_logout_uri: None,
                scopes,
                signing_alg: SigningAlg::Es256,
            },
        )
        .await
        .map_err(describe)?,
    };
    let settings = Settings {
        issuer: crate::usecases::oidc::issuer(cx, portal.id),
        api_url: cx.mail.public_url.trim_end_matches('/').to_string(),
        portal_id: portal.id,
        client_id: registered.client.client_id.clone(),
        client_secret: registered
            .client_secret
            .context("a confidential client's secret")?,
        base_url: url.clone(),
        modules: portal.modules.iter().map(|m| m.name.clone()).collect(),
    };
    let task = tokio::spawn(super::sample_app::serve(listener, settings, shutdown));
    Ok(SampleApp {
        url,
        client_id: registered.client.client_id,
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_listens_beside_admit() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(beside(at("127.0.0.1:8080")), at("127.0.0.1:8081"));
        assert_eq!(beside(at("0.0.0.0:9000")), at("127.0.0.1:9001"));
        assert_eq!(beside(at("127.0.0.1:0")), at("127.0.0.1:0"));
    }
}
