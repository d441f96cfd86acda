# The words of the domain's values: an account's statuses and roles, a grouping of customers,
# why a login is refused, a digest's period, how an impersonation ended, a duration.

status-registration-invited = Eingeladen
status-registration-activation_sent = Aktivierungs-E-Mail geschickt
status-registration-registered = Registriert
status-approval-pending = Freigabe ausstehend
status-approval-approved = Freigegeben
status-approval-declined = Abgelehnt
status-assignment-pending = Ausstehend
status-assignment-assigned = Zugeordnet
status-lifecycle-active = Aktiv
status-lifecycle-deactivated = Deaktiviert
status-role-admin = Admin
status-role-user = Benutzer
status-role-marketing = Marketing
status-role-notifications = Benachrichtigungen

grouping-partnership = Partnerschaft { $name }
grouping-sub-accounts = { $name } und seine Unterkonten

login-refused-confirm-email = Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse.
login-refused-user-deactivated = Benutzer deaktiviert.
login-refused-declined = Ihre Anfrage wurde abgelehnt.
login-refused-awaiting-approval = Ihr Zugang wartet auf Freigabe.
login-refused-no-login = Dieses Konto erhält nur E-Mails und kann sich nicht anmelden.

period-week-of = Woche ab { $day }
period-day = { $day }

impersonation-end-ended_by_staff = beendet
impersonation-end-time_limit = Zeitlimit erreicht
impersonation-end-staff_logged_out = Abmeldung aus der Konsole
impersonation-end-staff_session_ended = Konsolensitzung beendet
impersonation-end-account_barred = Konto kann sich nicht mehr anmelden
impersonation-running = läuft
impersonation-end-session = Sitzung beendet

duration-minutes = { $minutes ->
    [one] 1 Minute
   *[other] { $minutes } Minuten
}
