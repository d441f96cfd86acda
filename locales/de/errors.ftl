# Error messages: each key is an error's code
error-required = ist erforderlich
error-too-long = darf höchstens { $max } Zeichen lang sein
error-line-breaks = darf keine Zeilenumbrüche oder Steuerzeichen enthalten
error-control-characters = darf keine Steuerzeichen enthalten
error-time-zone = ist keine bekannte Zeitzone (wie Europe/Berlin)
error-invalid-email = muss eine gültige E-Mail-Adresse sein, wie name@example.com
error-line-address = Zeile { $line }: { $address } – { $problem }
error-line = Zeile { $line }: { $problem }
error-invite-too-many = höchstens { $max } Personen auf einmal
error-invite-nobody = Wählen Sie Kontakte oder geben Sie Adressen ein, die eingeladen werden sollen
error-contact-without-email = { $name } hat keine E-Mail-Adresse, und die ist der Benutzername
error-no-such-contact = kein Kontakt { $id } in { $organization }
error-cannot-invite = { $email } kann nicht zu diesem Portal eingeladen werden
impersonation-refused-portal-off = Für dieses Portal ist das Ansehen als Person abgeschaltet.
impersonation-refused-cannot-log-in = Dieses Konto kann sich nicht anmelden und daher nicht als seine Person angesehen werden.
impersonation-refused-staff-account = Dieses Konto gehört zu einem Mitarbeiter: Mitarbeitende werden nie als Person angesehen.
impersonation-refused-already = Sie sehen bereits ein Portal als jemand anderes an: Beenden Sie das zuerst.
impersonation-refused-not-staff = Nur Mitarbeitende in der Konsole sehen ein Portal als Person an.
failure-not-found-title = Nicht gefunden
failure-not-found = Hier ist nichts, oder es ist nicht für Sie sichtbar.
failure-forbidden-title = Nicht erlaubt
failure-refused-title = Nicht möglich
failure-invalid-title = Bitte prüfen Sie Ihre Eingabe
failure-too-many-title = Zu viele Versuche
failure-too-many = Zu viele Versuche. Bitte warten Sie { $wait } und versuchen Sie es dann erneut.
failure-internal-title = Etwas ist schiefgegangen
failure-internal = Bei uns ist etwas schiefgegangen; es wurde protokolliert. Versuchen Sie es gleich noch einmal.
error-form-other-site = Dieses Formular kam von einer anderen Website.
error-form-expired = Dieses Formular ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-admins-only = Nur Administratoren dürfen das.
error-password-too-short = muss mindestens 12 Zeichen lang sein
error-password-too-long = darf höchstens 128 Zeichen lang sein
error-password-common = ist zu verbreitet; bitte wählen Sie ein anderes
error-password-predictable = ist zu leicht zu erraten (wiederholte Zeichen, eine Folge wie 1234 oder ein verbreitetes Wort mit wenigen Zeichen dazu); bitte wählen Sie ein anderes
error-password-context = darf weder Ihren Namen oder Ihre E-Mail-Adresse noch den Namen des Portals oder der Organisation oder „admit“ enthalten
error-password-breached = ist aus bekannt gewordenen Datenlecks bekannt; bitte wählen Sie ein anderes
sentence-password-too-short = Das Passwort muss mindestens 12 Zeichen lang sein.
sentence-password-too-long = Das Passwort darf höchstens 128 Zeichen lang sein.
sentence-password-common = Dieses Passwort ist zu verbreitet; bitte wählen Sie ein anderes.
sentence-password-predictable = Dieses Passwort ist zu leicht zu erraten (wiederholte Zeichen, eine Folge wie 1234 oder ein verbreitetes Wort mit wenigen Zeichen dazu); bitte wählen Sie ein anderes.
sentence-password-context = Das Passwort darf weder Ihren Namen oder Ihre E-Mail-Adresse noch den Namen des Portals oder der Organisation oder „admit“ enthalten.
sentence-password-breached = Dieses Passwort ist aus bekannt gewordenen Datenlecks bekannt; bitte wählen Sie ein anderes.
error-not-theirs = Dieses Konto dürfen Sie nicht verwalten.
error-module-not-yours = Das Modul „{ $module }“ können Sie nicht vergeben: Sie haben es selbst nicht.
error-customer-not-yours = Kunde #{ $customer } kann nicht zugeordnet werden: Sie sehen ihn selbst nicht.
error-customer-not-in-grouping = Kunde #{ $customer } gehört nicht zu der Gruppe, in der er zugeordnet ist.
error-module-admin-only = „{ $module }“ ist nur für Admins: Machen Sie das Konto zum Admin, oder lassen Sie das Modul weg.
error-last-organization-admin = Dies ist der letzte aktive Admin der Organisation auf diesem Portal. Machen Sie zuerst ein anderes ihrer Konten zum aktiven Admin.
error-last-administrator = Dies ist der letzte aktive Administrator. Machen Sie zuerst einen anderen Mitarbeiter zum aktiven Administrator.
error-role-choice = muss eines sein von: admin, user, marketing, notifications
error-not-a-role = muss eine Rolle sein
error-one-of = muss eines sein von: { $values }
error-staff-role = muss administrator oder supervisor sein
error-no-such-module = { $portal } hat kein Modul { $module }
error-not-marketing-module = { $module } ist kein Marketing-Modul: Ein Marketing-Konto sieht nur Marketing-Material
error-team-admins-only = Nur die Admins einer Organisation verwalten ihre Konten.
error-team-admins-only-see = Nur die Admins einer Organisation sehen ihr Team.
error-resend-only-failed = Nur eine fehlgeschlagene Nachricht kann erneut gesendet werden; diese ist { $status ->
        [queued] in der Warteschlange
        [sending] im Versand
        [sent] gesendet
        [retrying] in einem neuen Versuch
       *[other] { $status }
    }.
error-logout-resend-only-failed = Nur eine fehlgeschlagene Back-Channel-Abmeldung kann erneut gesendet werden; diese ist { $status ->
        [queued] in der Warteschlange
        [sending] im Versand
        [sent] gesendet
        [retrying] in einem neuen Versuch
       *[other] { $status }
    }.
error-undo-changed-since = Nicht rückgängig gemacht: Das Konto wurde seitdem geändert (oder die Änderung ist schon rückgängig gemacht). Sehen Sie sich seine Status an und ändern Sie sie bei Bedarf von Hand.
error-undo-not-yours = Nur der Mitarbeiter, der eine Änderung vorgenommen hat, kann sie rückgängig machen.
error-undo-not-undoable = Diese Änderung kann nicht rückgängig gemacht werden.
error-undo-too-late = Nicht rückgängig gemacht: Eine Änderung kann { $minutes } Minuten lang rückgängig gemacht werden, und diese Zeit ist vorbei. Ändern Sie die Status bei Bedarf von Hand.
error-no-such-area = kein Bereich mit der ID { $area }
error-supervisor-needs-area = Ein Supervisor braucht mindestens einen Bereich
error-account-already-registered = Das Konto ist bereits registriert.
error-account-not-invited = Das Konto wurde nicht eingeladen; es gibt keine Einladung anzunehmen.
error-account-not-awaiting-activation = Das Konto wartet nicht auf die Bestätigung seiner E-Mail-Adresse.
error-account-already-approved = Das Konto ist bereits freigegeben.
error-account-already-declined = Das Konto ist bereits abgelehnt.
error-account-already-assigned = Das Konto ist bereits mit einem Kontakt verknüpft.
error-account-unchanged = Es würde sich nichts ändern.
error-team-lifecycle-only = Die Admins einer Organisation deaktivieren und reaktivieren ihre Konten; alles andere erledigen die Mitarbeitenden.
error-resend-notifications-only = Ein Konto nur für Benachrichtigungen meldet sich nie an: Es gibt keine Einladung und keinen Link zu senden.
error-resend-registered = Das Konto ist bereits registriert; senden Sie stattdessen einen Link für ein neues Passwort.
error-no-password-yet = Das Konto hat noch kein Passwort: Senden Sie stattdessen die Einladungs- oder Aktivierungs-E-Mail erneut.
error-no-contact-in-areas = kein Kontakt { $id } (oder nicht in Ihren Bereichen)
error-no-organization-in-areas = keine Organisation { $id } (oder nicht in Ihren Bereichen)
error-choose-organization = Wählen Sie eine Organisation in Ihren Bereichen
error-possible-duplicate = mögliches Duplikat: { $contacts } hat bereits diese E-Mail-Adresse; verknüpfen Sie diesen Kontakt, oder bestätigen Sie, dass ein weiterer angelegt werden soll
error-choose-contact = Wählen Sie einen Kontakt
error-choose-action = Wählen Sie eine Aktion
error-bulk-id = muss die Nummer eines Kontos sein
error-bulk-too-many = Wählen Sie höchstens { $max } Konten
error-locale-not-theirs = Mitarbeitende legen Sprache und Zeitzone einer Person fest; die Person legt ihre eigenen selbst fest.
error-password-not-right = ist nicht richtig
error-confirmation-mismatch = stimmt nicht mit dem Passwort überein
error-email-yours-already = ist bereits Ihre Adresse
error-email-other-account = gehört zu einem anderen Konto auf diesem Portal
error-password-again = Geben Sie Ihr Passwort erneut ein, um andere Sitzungen zu beenden
error-not-current-password = ist nicht Ihr aktuelles Passwort
error-area-name-taken = Es gibt bereits einen Bereich mit diesem Namen
error-portal-name-taken = Es gibt bereits ein Portal mit diesem Namen
error-external-id-contact = wird bereits von einem anderen Kontakt verwendet
error-external-id-contact-outside = wird bereits von einem Kontakt außerhalb Ihrer Bereiche verwendet
error-external-id-organization = wird bereits von einer anderen Organisation verwendet
error-external-id-organization-outside = wird bereits von einer Organisation außerhalb Ihrer Bereiche verwendet
error-external-id-partnership = wird bereits von einer anderen Partnerschaft verwendet
error-in-use = wird bereits verwendet
error-listed-twice = ist doppelt aufgeführt
error-oidc-public-needs-redirect = Ein öffentlicher Client braucht mindestens eine Weiterleitungs-URI
error-oidc-too-many-uris = höchstens { $max } URIs
error-uri-spaces = darf keine Leerzeichen, Steuerzeichen oder Backslashes enthalten
error-uri-fragment = darf kein Fragment (`#...`) haben
error-uri-wildcard = muss exakt sein: keine Platzhalter (`*`)
error-uri-absolute = muss eine absolute https://-URI sein (http:// nur für localhost oder 127.0.0.1)
error-uri-user = darf keinen Benutzernamen und kein Passwort enthalten
error-uri-host = muss einen Host nennen (Buchstaben, Ziffern, `-` und `.`)
error-uri-port = hat einen Port, der keine Zahl von 1 bis 65535 ist
error-uri-https = muss https:// verwenden (http:// nur für localhost oder 127.0.0.1)
error-scope-twice = `{ $scope }` ist doppelt aufgeführt
error-scope-openid = muss `openid` enthalten
error-unknown-variable = unbekannte Variable `{ $variable }`; diese E-Mail kennt { $known }
error-template-safe = Der Filter `safe` ist hier nicht erlaubt: Werte werden immer maskiert (bearbeiten Sie stattdessen das HTML im erweiterten Modus)
error-template-button-link = Wählen Sie den Link, den die Schaltfläche öffnet: { $links }
error-template-no-paragraph = Schreiben Sie mindestens einen Absatz
error-public-client-no-secret = Ein öffentlicher Client hat kein Geheimnis; er weist sich mit PKCE aus.
error-key-rotation-under-way = Eine andere Erneuerung der Signaturschlüssel läuft gerade; bitte versuchen Sie es erneut.
error-line-column = Zeile { $line }, Spalte { $column }: { $problem }
template-error-in-part = { $part }: { $problem }
# Der Fehler einer Vorlage: auf Deutsch erklärt, ohne die (englischen) Worte der Vorlagen-Engine.
template-error-syntax = Syntaxfehler: ein Ausdruck oder ein Block ist falsch geschrieben oder nicht geschlossen
template-error-undefined = ein Wert ist hier nicht definiert
template-error-unknown-filter = unbekannter Filter
template-error-unknown-test = unbekannter Test
template-error-unknown-function = unbekannte Funktion
template-error-unknown-method = unbekannte Methode
template-error-arguments = falsche Anzahl von Argumenten
template-error-escape = ungültige Escape-Sequenz in einem Text
template-error-operation = mit diesem Wert nicht möglich
template-error-other = lässt sich nicht darstellen
form-too-large = Das Formular ist zu groß. Senden Sie weniger auf einmal.
