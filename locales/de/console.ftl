# The console's frame: navigation, common buttons, messages
console-title = Admit-Konsole
nav-home = Start
nav-organizations = Organisationen
nav-contacts = Kontakte
nav-access = Zugänge
nav-partnerships = Partnerschaften
nav-notifications = Benachrichtigungen
nav-areas = Bereiche
nav-portals = Portale
nav-staff = Mitarbeitende
nav-api-keys = API-Schlüssel
nav-outbox = Postausgang
nav-mail = E-Mail
nav-audit = Protokoll
log-out = Abmelden
skip-to-content = Zum Inhalt springen
undo = Rückgängig
undo-within = möglich innerhalb von { $minutes } Minuten
mailbox-banner = <strong>E-Mail wird nicht versendet.</strong> Es ist kein SMTP-Server eingerichtet (<code>smtp_host</code>), daher landet jede Nachricht auf der eingebauten Seite <a href="/console/mail">E-Mail</a>, statt die Empfänger zu erreichen. Setzen Sie <code>smtp_host</code>, oder setzen Sie <code>mail_mode = "mailbox"</code>, wenn das so gewollt ist.
badge-granted = Gewährt
badge-switched-off = Abgeschaltet
badge-active = Aktiv
badge-deactivated = Deaktiviert
badge-has-access = Hat Zugang
badge-no-account = Kein Konto
badge-no-access-yet = Noch kein Zugang
badge-outbox-queued = In der Warteschlange
badge-outbox-sending = Wird gesendet
badge-outbox-sent = Gesendet
badge-outbox-retrying = Neuer Versuch
badge-outbox-failed = Fehlgeschlagen
sessions-ended = { $count ->
    [one] 1 Sitzung beendet.
   *[other] { $count } Sitzungen beendet.
}
back-to-console = Zurück zur Konsole
wait-minutes = { $minutes ->
    [one] eine Minute
   *[other] { $minutes } Minuten
}
login-title = Anmelden
login-password = Passwort
login-logged-out = Sie sind abgemeldet.
login-expired = Das Anmeldeformular war abgelaufen; bitte melden Sie sich erneut an.
login-wrong = E-Mail-Adresse oder Passwort falsch.
no = Nein
delete = Löschen
send-again = Erneut senden
language-en = Englisch
language-de = Deutsch
actor-api-key = API-Schlüssel { $name }
actor-oidc-client = Client { $name }
actor-command-line = Kommandozeile ({ $user })
actor-self-registration-of = Selbstregistrierung von { $email }
actor-system-expiry = Ablauf
actor-system-signing-keys = Signaturschlüssel
actor-system-self-registration = Selbstregistrierung
actor-system-unsubscribe-link = Abmeldelink
actor-system-impersonation = Ansehen als Person
actor-system-demo = Demodaten
