# The history of a page: each audit action as a sentence ("Declined by Maria Keller — e-mail
# sent to anna@…"). A sentence is the action's phrase, who did it, and what went with it.

history-heading = Verlauf
history-empty = Noch ist nichts geschehen.
# An action the catalog does not know yet, named by its code.
history-sentence-unknown = Erfasst ({ $action })
history-sentence-by = { $what } von { $who }
history-sentence-detail = { $what } — { $detail }
history-sentence-email-to = E-Mail an { $to }
history-sentence-email-sent = E-Mail an { $to } gesendet
history-sentence-email-waiting = E-Mail an { $to } wartet im Postausgang
history-sentence-email-failed = E-Mail an { $to } fehlgeschlagen
history-sentence-email-not-sent = E-Mail an { $to } nicht gesendet
history-sentence-email-cancelled = die E-Mail an { $to } wurde nicht gesendet
history-sentence-email-already-sent = die E-Mail an { $to } war schon gesendet
history-sentence-valid-until = gültig bis { $day }
history-sentence-no-end-date = ohne Ablaufdatum

# Each audit action's phrase: history-<action>, its dot a hyphen (account.switch_off:
# history-account-switch_off).

# A portal account's statuses, set by staff.
history-account-approve = Freigegeben
history-account-decline = Abgelehnt
history-account-switch_off = Zugang abgeschaltet
history-account-switch_on = Zugang eingeschaltet
history-account-set_valid_until = Ablaufdatum geändert
history-account-deactivate = Deaktiviert
history-account-reactivate = Reaktiviert
history-account-approve_undone = Freigabe rückgängig gemacht
history-account-decline_undone = Ablehnung rückgängig gemacht
history-account-switch_off_undone = Abschalten des Zugangs rückgängig gemacht
history-account-switch_on_undone = Einschalten des Zugangs rückgängig gemacht
history-account-deactivate_undone = Deaktivierung rückgängig gemacht
history-account-reactivate_undone = Reaktivierung rückgängig gemacht

# A portal account's life.
history-account-granted = Eingeladen (Zugang gewährt)
history-account-access_changed = Rolle, Module oder Kunden geändert
history-account-contact_linked = Mit einem Kontakt verknüpft
history-account-invitation_accepted = Einladung angenommen, Passwort festgelegt
history-account-invitation_cancelled = Einladung zurückgezogen
history-account-link_resent = Einladungs- oder Aktivierungs-E-Mail erneut gesendet
history-account-new_link_requested = Neuer Link angefordert
history-account-registered = Im Portal registriert
history-account-registered_again = Erneut registriert
history-account-registered_while_invited = Registriert, während eine Einladung offen war
history-account-activated = E-Mail-Adresse bestätigt
history-account-removed = Entfernt
history-account-profile_changed = Profil geändert
history-account-email_change_requested = Änderung der E-Mail-Adresse angefordert
history-account-email_changed = E-Mail-Adresse geändert
history-account-password_changed = Passwort geändert
history-account-password_check_failed = Passwortprüfung fehlgeschlagen
history-account-password_link_sent = Link für ein neues Passwort gesendet
history-account-password_reset = Passwort zurückgesetzt
history-account-password_reset_requested = Zurücksetzen des Passworts angefordert
history-account-logged_in = Angemeldet
history-account-logged_out = Abgemeldet
history-account-login_failed = Anmeldung fehlgeschlagen
history-account-login_refused = Anmeldung abgewiesen
history-account-session_ended = Eine Sitzung beendet
history-account-other_sessions_ended = Andere Sitzungen beendet
history-account-sessions_ended = Sitzungen beendet
history-account-impersonation_started = Ansicht des Portals als diese Person begonnen
history-account-impersonation_ended = Ansicht des Portals als diese Person beendet
history-account-impersonation_refused = Ansicht des Portals als diese Person verweigert
history-account-impersonation_session_refused = Sitzung in der Ansicht als diese Person verweigert
history-account-impersonation_change_refused = Änderung in der Ansicht als diese Person verweigert

# Staff.
history-staff-created = Mitarbeiter angelegt
history-staff-updated = Mitarbeiter geändert
history-staff-deactivated = Mitarbeiter deaktiviert
history-staff-reactivated = Mitarbeiter reaktiviert
history-staff-locale_changed = Sprache oder Zeitzone geändert
history-staff-logged_in = In der Konsole angemeldet
history-staff-logged_out = Von der Konsole abgemeldet
history-staff-login_failed = Konsolenanmeldung fehlgeschlagen
history-staff-password_changed = Passwort geändert
history-staff-password_check_failed = Passwortprüfung fehlgeschlagen
history-staff-session_ended = Eine Konsolensitzung beendet
history-staff-other_sessions_ended = Andere Konsolensitzungen beendet
history-staff-sessions_ended = Konsolensitzungen beendet

# The directory and the portals.
history-organization-created = Organisation angelegt
history-organization-updated = Organisation geändert
history-contact-created = Kontakt angelegt
history-contact-updated = Kontakt geändert
history-area-created = Bereich angelegt
history-area-updated = Bereich geändert
history-partnership-created = Partnerschaft angelegt
history-partnership-updated = Partnerschaft geändert
history-portal-created = Portal angelegt
history-portal-updated = Portal geändert
history-portal-impersonation_changed = Einstellungen zur Ansicht als Person geändert
history-portal-task_categories_set = Aufgabenkategorien geändert
history-task-created = Aufgabe angelegt
history-task-updated = Aufgabe geändert
history-task-closed = Aufgabe erledigt
history-task-reopened = Aufgabe wieder geöffnet
history-notifications-changed = Benachrichtigungseinstellungen geändert
history-notifications-unsubscribed = Von den Zusammenfassungen abgemeldet

# E-mail.
history-mail-requeued = E-Mail erneut eingereiht
history-mail-test_queued = Test-E-Mail eingereiht
history-mail_template-saved = E-Mail-Vorlage gespeichert
history-mail_template-reset = E-Mail-Vorlage auf den Standard zurückgesetzt

# API keys, applications and their keys.
history-api_key-created = API-Schlüssel erstellt
history-api_key-revoked = API-Schlüssel widerrufen
history-oidc_client-created = Anwendung angelegt
history-oidc_client-updated = Anwendung geändert
history-oidc_client-deleted = Anwendung gelöscht
history-oidc_client-secret_renewed = Anwendungsgeheimnis erneuert
history-oidc-authorize_refused = Anmeldeanfrage einer Anwendung abgewiesen
history-oidc-client_refused = Anwendung abgewiesen (falsche Zugangsdaten)
history-oidc-token_refused = Token-Anfrage abgewiesen
history-oidc-grant_ended = Anmeldung bei einer Anwendung beendet
history-oidc-key_created = Signaturschlüssel erstellt
history-oidc-keys_rotated = Signaturschlüssel gewechselt
history-oidc-keys_retired = Alte Signaturschlüssel stillgelegt
history-oidc_logout-requeued = Abmeldenachricht an eine Anwendung erneut eingereiht

# Security.
history-security-csrf_refused = Formular einer anderen Website abgewiesen
history-security-forbidden = Zugriff verweigert
history-security-unknown_api_key = Unbekannter API-Schlüssel abgewiesen
history-security-throttled = Nach vielen Versuchen gebremst
history-security-locked_out = Nach zu vielen Versuchen gesperrt
