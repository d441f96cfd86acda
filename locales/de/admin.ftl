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

## E-Mail-Vorlagen
mail-templates-title = E-Mail-Vorlagen

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
