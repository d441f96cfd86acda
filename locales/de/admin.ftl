# Die Seiten der Administration: Portale, Aufgabenkategorien, Mitarbeitende, API-Schlüssel,
# OpenID-Connect-Clients, Protokoll, Postausgang, Mail und E-Mail-Vorlagen

## Portale
portal-new = Neues Portal
portals-none = Noch keine Portale.
portal-base-url = Basis-URL
portal-modules = Module
registration-mode-invitation_only = Nur auf Einladung
registration-mode-self_automatic = Selbstregistrierung, automatische Freigabe
registration-mode-self_manual = Selbstregistrierung, manuelle Freigabe
portal-creates-contact = Die Selbstregistrierung legt einen Kontakt an, wenn keiner passt
portal-notify-staff = Wenn jemand einen neuen Einladungs- oder Aktivierungslink anfordert, die Mitarbeitenden benachrichtigen (die ihn versenden), statt ihn sofort zu senden
portal-invitation-lifetime = Gültigkeit der Einladung
portal-invitation-lifetime-hint = (Tage, 1 bis 90)
portal-default-language = Standardsprache
portal-default-time-zone = Standardzeitzone
portal-time-zone-hint = Neue Konten dieses Portals erhalten diese Zeitzone; jede Person kann ihre eigene wählen.
portal-modules-hint = Ein Modul pro Zeile, sein deutscher Name nach einem senkrechten Strich (<code>Invoices | Rechnungen</code>); fehlt er, sehen deutschsprachige Personen den Namen selbst. Mit dem Namen vor dem Strich wird das Modul in Freigaben, Entscheidungen und Tokens benannt. Endet eine Zeile mit einem Leerzeichen und einem Sternchen (<code>Pricing | Preise *</code>), sehen nur die Admins einer Organisation dieses Modul; endet sie mit <code>(marketing)</code>, ist es Marketingmaterial, die einzigen Module, die ein Marketingkonto erhalten kann (<code>Partner kit | Partnerpaket (marketing)</code>).
portal-name-de = Name auf Deutsch
portal-name-de-hint = Wird Personen angezeigt, die Deutsch lesen; ist das Feld leer, sehen sie den Namen oben.
portal-module-line = Zeile { $line }: { $problem }
portal-impersonation = Das Portal als eine Person sehen (Impersonation)
portal-impersonation-allowed = Mitarbeitende dürfen dieses Portal als eines seiner Konten sehen (mit Begründung und Zeitlimit)
portal-impersonation-actions = Team-Aktionen eines Organisations-Admins erlauben, während Mitarbeitende das Portal als diese Person sehen (sonst nur lesend)
portal-impersonation-notice = Die Person danach per E-Mail informieren: wann, wie lange, durch wen und warum
portal-history = Verlauf dieses Portals
flash-portal-created = Portal angelegt.
flash-portal-saved = Portal gespeichert.

## Aufgabenkategorien
categories-title = Aufgabenkategorien
categories-of = Aufgabenkategorien von { $portal }
categories-intro = Die Systeme des Betreibers stellen Aufgaben zu Kunden in diese Kategorien ein (<code>PUT /api/v1/portals/{ $portal }/tasks/{"{"}id{"}"}</code> mit dem Schlüssel der Kategorie); die Personen des Portals wählen daraus für ihre Zusammenfassungen. Die eigenen Kategorien von Admit (Freigaben, bald ablaufende Einladungen…) sind eingebaut und hier nicht aufgeführt.
categories-order = Reihenfolge
categories-key = Schlüssel
categories-name-en = Name (Englisch)
categories-name-de = Name (Deutsch)
categories-description-en = Beschreibung (Englisch)
categories-description-de = Beschreibung (Deutsch)
categories-remove = Entfernen
categories-order-of-row = Reihenfolge in Zeile { $row }
categories-key-of-row = Schlüssel in Zeile { $row }
categories-name-en-of-row = Englischer Name in Zeile { $row }
categories-name-de-of-row = Deutscher Name in Zeile { $row }
categories-description-en-of-row = Englische Beschreibung in Zeile { $row }
categories-description-de-of-row = Deutsche Beschreibung in Zeile { $row }
categories-new = neu
categories-hint = Schlüssel: <code>a-z 0-9 _ - .</code>, bis zu 50 Zeichen, beginnend mit einem Buchstaben oder einer Ziffer. Ein leerer deutscher Name oder eine leere deutsche Beschreibung ist der englische Text. Füllen Sie eine leere Zeile aus, um eine Kategorie hinzuzufügen (speichern Sie für weitere Zeilen); ändern Sie die Zahlen unter Reihenfolge, um sie zu verschieben. Eine Kategorie, die noch Aufgaben enthält, kann nicht entfernt werden.
categories-save = Kategorien speichern
categories-whole-number = muss eine ganze Zahl sein
flash-categories-saved = Aufgabenkategorien gespeichert: { $count ->
    [0] keine
    [one] 1 Kategorie
   *[other] { $count } Kategorien
}.

## OpenID-Connect-Clients
oidc-clients-title = OpenID-Connect-Clients
oidc-clients-of = OpenID-Connect-Clients von { $portal }
oidc-secret-of = Client-Secret von „{ $name }“
oidc-client-id = Client-ID
oidc-copy-secret = Kopieren Sie dieses Client-Secret jetzt in die Einstellungen der Anwendung: Es wird nicht noch einmal angezeigt. Admit speichert nur einen Hash davon.
oidc-clients-intro = Die Anwendungen dieses Portals, die seine Nutzer über Admit anmelden (OpenID Connect).
oidc-kind = Art
oidc-kind-confidential = vertraulich
oidc-kind-public = öffentlich
oidc-redirect-uris = Weiterleitungs-URIs
oidc-scopes = Scopes
oidc-active = Aktiv
oidc-new-secret = Neues Client-Secret
oidc-new-secret-confirm = Ein neues Client-Secret erzeugen? Das bisherige funktioniert dann sofort nicht mehr.
oidc-delete-confirm = Diesen Client löschen? Die Anwendung kann danach niemanden mehr anmelden.
oidc-clients-none = Noch keine Clients.
oidc-register = Client registrieren
oidc-name-hint = (die Anwendung, z. B. „Rechnungen“)
oidc-kind-hint = (nach der Registrierung nicht mehr änderbar)
oidc-kind-confidential-choice = Vertraulich: eine serverseitige Anwendung; sie erhält ein Client-Secret
oidc-kind-public-choice = Öffentlich: eine Browser- oder Mobil-Anwendung; kein Client-Secret, stattdessen PKCE
oidc-register-submit = Den Client registrieren
oidc-clients-history = Verlauf der Clients
oidc-active-hint = (nicht angehakt: Die Anwendung meldet niemanden an)
oidc-save = Client speichern
oidc-logouts = Back-Channel-Abmeldungen
oidc-no-logout-uri = Dieser Client hat keine Back-Channel-Logout-URI: Er erfährt von keiner beendeten Sitzung.
oidc-logout-when = Zeitpunkt
oidc-logout-account = Konto
oidc-logout-account-removed = #{ $id } (entfernt)
oidc-logout-delivered = Zugestellt
oidc-logouts-none = Noch keine Back-Channel-Abmeldungen.
oidc-client-history = Verlauf dieses Clients
oidc-redirect-uris-hint = (eine pro Zeile, höchstens 10; exakt, https, oder http auf localhost bzw. 127.0.0.1; keine Platzhalter, kein Fragment)
oidc-post-logout-uris = Weiterleitungs-URIs nach der Abmeldung
oidc-post-logout-hint = (optional; eine pro Zeile, dieselben Regeln)
oidc-backchannel-uri = Back-Channel-Logout-URI
oidc-same-rules-hint = (optional; dieselben Regeln)
oidc-scopes-legend = Scopes, die der Client anfordern darf
oidc-scopes-hint = (openid ist erforderlich)
oidc-signing-alg = Signaturverfahren der Tokens
oidc-signing-alg-hint = (ES256, außer die Bibliothek der Anwendung erwartet RS256)
flash-oidc-client-deleted = Client { $name } gelöscht.
flash-oidc-client-saved = Client { $name } gespeichert.
flash-logout-queued-again = Die Back-Channel-Abmeldung steht wieder in der Warteschlange.

## E-Mail-Vorlagen
mail-templates-title = E-Mail-Vorlagen
mail-templates-of = { $portal }: E-Mail-Vorlagen
mail-templates-intro = jede E-Mail auf Englisch und Deutsch; verwendet wird die Sprache der Empfängerin oder des Empfängers, sonst die des Portals ({ $language }).
mail-templates-email = E-Mail
mail-template-edited = bearbeitet
mail-template-edited-html = bearbeitet (HTML)
mail-template-default = Standard
mail-template-is-edited = für dieses Portal bearbeitet
mail-template-is-edited-html = für dieses Portal bearbeitet, mit eigenem HTML (erweiterter Modus)
mail-template-is-default = der Standardtext
mail-variables = Variablen
mail-variables-hint = Werden beim Versand ausgefüllt und maskiert.
mail-variables-picker = Klicken Sie auf eine, um sie an der Cursorposition einzufügen.
mail-subject = Betreff
mail-texts = Texte
mail-texts-hint = Jede E-Mail hat dasselbe Layout: den Namen des Portals, Ihre Texte und eine Schaltfläche. Eine Leerzeile beginnt einen neuen Absatz.
mail-greeting = Anrede
mail-greeting-hint = (der Name der Person und ein Komma folgen, wenn bekannt)
mail-paragraph = Absatz { $n }
mail-paragraph-remove = Absatz { $n } entfernen
mail-paragraph-add = Absatz hinzufügen
mail-button = Schaltfläche
mail-button-link = Die Schaltfläche öffnet
mail-no-button = Keine Schaltfläche
mail-closing = Schlusstext
mail-closing-hint = (nach der Schaltfläche)
mail-advanced = Erweitert: das HTML bearbeiten
mail-advanced-legend = HTML und Text (erweitert)
mail-advanced-hint = Ist „Erweitert“ angehakt, werden diese Felder so gespeichert, wie sie geschrieben sind, statt der Texte oben. Werte werden im HTML-Inhalt maskiert.
mail-html-body = HTML-Inhalt
mail-text-body = Textinhalt
mail-reset = Zurück zum Standard
mail-reset-confirm = Zum Standardtext zurückkehren?
mail-preview = Vorschau
mail-preview-sample = (Beispieldaten)
mail-html-preview = HTML-Vorschau
flash-template-saved = Vorlage gespeichert.
flash-template-reset = Der Standardtext gilt wieder.

## Protokoll
audit-action = Aktion
audit-action-placeholder = Aktion, z. B. staff.*
audit-action-label = Aktion (genau, oder ein Anfang mit * am Ende)
audit-actor = Akteur
audit-target-kind = Art des Ziels
audit-all-targets = Alle Ziele
audit-target-id = Ziel-ID
audit-from = Von
audit-to = Bis
audit-hint = Die Zeiten sind in Ihrer Zeitzone, { $zone }. Eine Aktion mit <code>*</code> am Ende findet jede Aktion, die so beginnt.
audit-time = Zeit
audit-target = Ziel
audit-change = Änderung
audit-details = Details
audit-before = Vorher
audit-after = Nachher
audit-empty = Keine passenden Ereignisse.
audit-target-organization = Organisation
audit-target-contact = Kontakt
audit-target-area = Bereich
audit-target-partnership = Partnerschaft
audit-target-portal = Portal
audit-target-staff = Mitarbeitende
audit-target-api_key = API-Schlüssel
audit-target-portal_account = Portalkonto
audit-target-oidc_client = OpenID-Connect-Client
audit-target-oidc_key = Signaturschlüssel
audit-target-outbox_message = E-Mail
audit-target-limit = Begrenzung
audit-target-request = Anfrage
audit-target-staff_user = Mitarbeitende
audit-target-task = Aufgabe
audit-label-account-on = { $email } auf { $portal }
audit-label-grant = Grant { $grant } des Clients { $client }
audit-label-signing-keys = Signaturschlüssel
audit-actor-kind-staff = Mitarbeitende
audit-actor-kind-api_key = API-Schlüssel
audit-actor-kind-cli = Kommandozeile
audit-actor-kind-system = Admit
audit-actor-kind-portal_user = Portalnutzer

## Postausgang
outbox-intro = Jede E-Mail, die Admit versendet, geschrieben in derselben Transaktion wie die Änderung, die sie ausgelöst hat.
outbox-to-mailbox = Es ist kein SMTP-Server eingerichtet: Nachrichten werden im <a href="/console/mail">eingebauten Postfach</a> zugestellt.
outbox-all-statuses = Alle Status
outbox-template = Vorlage
outbox-all-templates = Alle Vorlagen
outbox-recipient = Empfänger
outbox-attempts = Versuche
outbox-last-error = Letzter Fehler
outbox-sent = Gesendet
outbox-empty = Keine Nachrichten.
outbox-test-title = Testnachricht senden
outbox-test-send = Test senden
outbox-address = Adresse
outbox-message = Nachricht { $id }
outbox-attempts-of = { $done } von { $max }
outbox-last-change = Letzte Änderung
outbox-next-attempt = Nächster Versuch
outbox-server-answer = Antwort des Servers
outbox-as-sent = So wird sie gesendet
outbox-back = Zurück zum Postausgang
outbox-no-portal = (keines)
outbox-cannot-show = Diese Nachricht lässt sich nicht anzeigen: { $problem }
flash-test-queued = Testnachricht eingereiht.
flash-message-queued-again = Die Nachricht ist wieder eingereiht.

## E-Mail
mailbox-intro = Es ist kein SMTP-Server eingerichtet, deshalb stellt Admit seine E-Mails hier zu: Öffnen Sie eine Nachricht, um sie zu lesen und ihren Links zu folgen.
mailbox-intro-smtp = Ein SMTP-Server ist eingerichtet: Neue E-Mails gehen dorthin. Dieses Postfach enthält, was vorher zugestellt wurde.
mailbox-received = Empfangen
mailbox-empty = Noch keine E-Mails.
mailbox-headers = Kopfzeilen
mailbox-date = Datum
mailbox-outbox-message = Nachricht { $id }
mailbox-back = Zurück zu den E-Mails

## Mitarbeitende
staff-new = Neue mitarbeitende Person
staff-none = Keine Mitarbeitenden.
staff-count = { $count ->
    [one] { $number } mitarbeitende Person
   *[other] { $number } Mitarbeitende
}
staff-last-login = letzte Anmeldung { $at }
staff-role-hint = Administratoren sehen und verwalten alles; Supervisoren sehen die Organisationen ihrer Bereiche.
staff-areas-hint = (für Supervisoren)
staff-no-areas = Noch keine Bereiche. <a href="/console/areas">Legen Sie einen an</a>.
staff-active = Aktiv
staff-active-hint = (wer deaktiviert ist, kann sich nicht anmelden; die Sitzungen enden)
staff-password-hint = mindestens 12 Zeichen
staff-create = Mitarbeitende Person anlegen
staff-set-password-title = Neues Passwort setzen
staff-own-password = Ihr eigenes Passwort ändern Sie auf <a href="/console/account">Ihrer Kontoseite</a>.
staff-new-password-hint = mindestens 12 Zeichen; jede Sitzung dieser Person endet
staff-set-password = Passwort setzen
staff-sessions = Sitzungen
staff-end-sessions-hint = Meldet diese Person überall ab: jeder Browser muss sich neu anmelden.
staff-end-sessions = Alle Sitzungen beenden
staff-history = Verlauf dieser mitarbeitenden Person
flash-staff-created = Mitarbeitende Person angelegt.
flash-staff-saved = Mitarbeitende Person gespeichert.
flash-staff-password-set = Passwort gesetzt; die Sitzungen der Person sind beendet.

## API-Schlüssel
api-keys-intro = Programme (etwa ein CRM-Abgleich) verwenden einen API-Schlüssel als Bearer-Token.
api-keys-all-areas = alle (Administrator)
api-keys-prefix = Präfix
api-keys-created = Erstellt
api-keys-last-used = Zuletzt verwendet
api-keys-revoked = Widerrufen
api-keys-none = Noch keine API-Schlüssel.
api-key-new = Neuer API-Schlüssel
api-key-new-named = Neuer API-Schlüssel „{ $name }“
api-key-copy-now = Kopieren Sie diesen Schlüssel jetzt und bewahren Sie ihn sicher auf: Er wird nicht noch einmal angezeigt. Admit speichert nur einen Hash davon.
api-key-revoke = Widerrufen
api-key-revoke-confirm = Diesen Schlüssel widerrufen? Programme, die ihn verwenden, funktionieren sofort nicht mehr.
api-key-name-hint = (wer ihn verwendet, z. B. „CRM-Abgleich“)
api-key-areas = Auf Bereiche beschränken, wie bei Supervisoren
api-key-areas-hint = (optional; nichts angekreuzt: der Schlüssel darf alles, was ein Administrator darf)
api-key-no-areas = Noch keine Bereiche.
api-key-create = API-Schlüssel anlegen
flash-api-key-revoked = API-Schlüssel { $name } widerrufen.
