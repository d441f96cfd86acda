# Organizations and contacts
organization-sub-account-of = Unterkonto von
organization-no-area = Kein Bereich
save = Speichern
organization-grant-to = Zugang geben für { $name }
organization-no-contacts = Noch keine Kontakte.
organization-invite-heading = Den angekreuzten Kontakten Zugang geben oder per E-Mail einladen
organization-invite-button = Zugang geben und die Einladungen senden
organization-sub-accounts = Unterkonten
organization-new-sub-account = Neues Unterkonto
organization-accounts = Portalkonten dieser Organisation
organization-history = Verlauf dieser Organisation
choose = Auswählen …
contact-no-access = Noch kein Portalzugang.
contact-grant = Zugang geben
contact-grant-button = Zugang geben und die Einladung senden
contact-history = Verlauf dieses Kontakts
organization-parent = Übergeordneter Kunde
organization-parent-hint = (für ein Unterkonto)
none-choice = Keine
none-yet = Keine.
external-id-hint = (die ID im CRM)
organization-grant = Zugang geben
organization-invite-emails = Weitere Personen per E-Mail-Adresse
organization-invite-emails-hint = (eine pro Zeile; jede wird ein Kontakt von { $organization }, sofern nicht schon einer diese Adresse hat)
contact-user-name = Benutzername
contact-send-elsewhere = Die Einladung an eine andere Adresse senden
contact-send-elsewhere-hint = (optional; der Benutzername bleibt { $email })
contact-send-elsewhere-hint-none = (optional; der Benutzername bleibt die E-Mail-Adresse des Kontakts)
contact-address = Adresse
flash-added-notifications = { $new ->
    [one] 1 Person erhält E-Mail-Benachrichtigungen
   *[other] { $new } Personen erhalten E-Mail-Benachrichtigungen
}; eine Einladung wird nicht gesendet, da sich diese Rolle nie anmeldet.{ $had ->
    [0] {""}
    [one] {" "}1 Person hatte bereits Zugang.
   *[other] {" "}{ $had } Personen hatten bereits Zugang.
}
flash-invited = { $new ->
    [one] 1 Einladung ist unterwegs.
   *[other] { $new } Einladungen sind unterwegs.
}
flash-invited-some-had = { $new ->
    [one] 1 Einladung ist unterwegs
   *[other] { $new } Einladungen sind unterwegs
}; { $had ->
    [one] 1 Person hatte
   *[other] { $had } Personen hatten
} bereits Zugang.
flash-organization-created = Organisation angelegt.
flash-organization-saved = Organisation gespeichert.
flash-contact-created = Kontakt angelegt.
flash-contact-saved = Kontakt gespeichert.
flash-granted = Zugang gegeben: Eine Einladung zu { $portal } ist unterwegs.
flash-granted-notifications = Zugang gegeben: { $email } erhält E-Mail-Benachrichtigungen von { $portal }. Eine Einladung wird nicht gesendet, da sich diese Rolle nie anmeldet.
flash-already-has-access = { $email } hat bereits Zugang zu { $portal }.
partnership-new = Neue Partnerschaft
partnerships-intro = Eine Partnerschaft lässt die Leute eines Partners die Kunden sehen, für die er arbeitet.
partnerships-empty = Noch keine Partnerschaften.
partnership-admins-only = Nur Administratoren können Partnerschaften ändern.
partnership-history = Verlauf dieser Partnerschaft
partnership-partner = Partner
partnership-customers = { $count } Kunden
partnership-hidden = und { $count } Kunden außerhalb Ihrer Bereiche
flash-partnership-created = Partnerschaft angelegt.
flash-partnership-saved = Partnerschaft gespeichert.
areas-intro = Bereiche gruppieren Organisationen; ein Supervisor sieht nur die Organisationen in seinen Bereichen.
areas-empty = Noch keine Bereiche.
area-new = Neuer Bereich
area-create = Bereich anlegen
area-organizations = Organisationen in diesem Bereich
area-history = Verlauf dieses Bereichs
flash-area-created = Bereich { $name } angelegt.
flash-area-saved = Bereich gespeichert.
