//! Staff recovery from the command line: `admit staff list`, `reset-password`, `disable` and
//! `enable`, on a running server's database, with the last active administrator kept.

use crate::cli::admit;
use crate::common::{PASSWORD, TestApp};

use reqwest::StatusCode;

const NEW_PASSWORD: &str = "a brand new passphrase for the console";

async fn staff_recovery_from_the_command_line(app: TestApp) {
    let emails: Vec<String> = (0..4).map(|i| format!("admin{i}@example.test")).collect();
    let mut browsers = Vec::new();
    for e in &emails {
        browsers.push(app.staff_browser(e, "administrator", &[]).await);
    }
    let (ok, out, err) = admit(&app.db_url, &["staff", "list"], None);
    assert!(ok, "{err}");
    for e in &emails {
        let line = out.lines().find(|l| l.ends_with(e.as_str())).expect(e);
        assert!(
            line.contains("administrator") && line.contains("active"),
            "{line}"
        );
    }

    // All four switched off at once: three go, the last active administrator stays.
    let handles: Vec<_> = emails
        .iter()
        .map(|e| {
            let (url, e) = (app.db_url.clone(), e.clone());
            std::thread::spawn(move || admit(&url, &["staff", "disable", "--email", &e], None))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let refused: Vec<usize> = (0..4).filter(|i| !results[*i].0).collect();
    assert_eq!(refused.len(), 1, "{results:?}");
    let kept = refused[0];
    assert!(
        results[kept].2.contains("last active administrator"),
        "{}",
        results[kept].2
    );
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM staff_users WHERE role = $1 AND active = TRUE",
            "administrator"
        )
        .await,
        1
    );
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_kind = 'cli'",
            "staff.deactivated"
        )
        .await,
        3
    );
    // The disabled administrators' sessions ended; the one kept still works.
    for (i, b) in browsers.iter().enumerate() {
        let page = b.get("/console/staff").await;
        if i == kept {
            assert_eq!(page.status, StatusCode::OK);
        } else {
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", emails[i]);
            assert!(page.location.unwrap_or_default().contains("/console/login"));
        }
    }
    let (ok, out, _) = admit(&app.db_url, &["staff", "list"], None);
    assert!(ok);
    assert_eq!(out.matches(" disabled ").count(), 3, "{out}");

    // Enabled again, one can log in; then the kept one may go.
    let back = (kept + 1) % 4;
    let (ok, out, err) = admit(
        &app.db_url,
        &["staff", "enable", "--email", &emails[back]],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("Enabled"), "{out}");
    let b = app.browser();
    assert_eq!(
        b.login(&emails[back], PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let (ok, _, err) = admit(
        &app.db_url,
        &["staff", "disable", "--email", &emails[kept]],
        None,
    );
    assert!(ok, "{err}");

    // A new password from standard input: never printed, the old one stops working, and the
    // sessions end.
    let (ok, _, err) = admit(
        &app.db_url,
        &["staff", "reset-password", "--email", &emails[back]],
        None,
    );
    assert!(!ok);
    assert!(err.contains("--password-stdin"), "{err}");
    let reset = |password: String| {
        let args: [&str; 5] = [
            "staff",
            "reset-password",
            "--email",
            &emails[back],
            "--password-stdin",
        ];
        admit(&app.db_url, &args, Some(&password))
    };
    let (ok, _, err) = reset("short\n".into());
    assert!(!ok);
    assert!(err.contains("password"), "{err}");
    let (ok, out, err) = reset(format!("{NEW_PASSWORD}\n"));
    assert!(ok, "{err}");
    assert!(!out.contains(NEW_PASSWORD) && !err.contains(NEW_PASSWORD));
    assert_eq!(
        b.get("/console/staff").await.status,
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    assert_ne!(
        app.browser().login(&emails[back], PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.browser()
            .login(&emails[back], NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let stored = app
        .count_where(
            "SELECT COUNT(*) FROM audit_events WHERE after_json LIKE $1",
            &format!("%{NEW_PASSWORD}%"),
        )
        .await;
    assert_eq!(stored, 0);

    // An address nobody has, and one that is no address.
    for (email, expected) in [
        ("nobody@example.test", "not found"),
        ("not an address", "email"),
    ] {
        let (ok, _, err) = admit(&app.db_url, &["staff", "disable", "--email", email], None);
        assert!(!ok);
        assert!(err.contains(expected), "{err}");
    }
}
both!(staff_recovery, staff_recovery_from_the_command_line);
