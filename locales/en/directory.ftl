# Organizations and contacts
organization-sub-account-of = sub-account of
organization-no-area = No area
save = Save
organization-grant-to = Grant access to { $name }
organization-no-contacts = No contacts yet.
organization-invite-heading = Grant access to the checked contacts, or invite by e-mail
organization-invite-button = Grant access and send the invitations
organization-sub-accounts = Sub-accounts
organization-new-sub-account = New sub-account
organization-accounts = Portal accounts of this organization
organization-history = History of this organization
choose = Choose…
contact-no-access = No portal access yet.
contact-grant = Grant access
contact-grant-button = Grant access and send the invitation
contact-history = History of this contact
organization-parent = Parent customer
organization-parent-hint = (for a sub-account)
none-choice = None
none-yet = None.
external-id-hint = (the CRM's id)
organization-grant = Grant
organization-invite-emails = More people by e-mail address
organization-invite-emails-hint = (one per line; each becomes a contact of { $organization } unless one has the address)
contact-user-name = User name
contact-send-elsewhere = Send the invitation to another address
contact-send-elsewhere-hint = (optional; the user name stays { $email })
contact-send-elsewhere-hint-none = (optional; the user name stays the contact's e-mail)
contact-address = Address
flash-added-notifications = { $new ->
    [one] 1 person will receive e-mail notifications
   *[other] { $new } people will receive e-mail notifications
}; no invitation is sent, as this role never logs in.{ $had ->
    [0] {""}
   *[other] {" "}{ $had } already had access.
}
flash-invited = { $new ->
    [one] 1 invitation on its way.
   *[other] { $new } invitations on their way.
}
flash-invited-some-had = { $new ->
    [one] 1 invitation on its way
   *[other] { $new } invitations on their way
}; { $had } already had access.
flash-organization-created = Organization created.
flash-organization-saved = Organization saved.
flash-contact-created = Contact created.
flash-contact-saved = Contact saved.
flash-granted = Access granted: an invitation to { $portal } is on its way.
flash-granted-notifications = Access granted: { $email } will receive e-mail notifications from { $portal }. No invitation is sent, as this role never logs in.
flash-already-has-access = { $email } already has access to { $portal }.
partnership-new = New partnership
partnerships-intro = A partnership lets a partner's people see the customers it works for.
partnerships-empty = No partnerships yet.
partnership-admins-only = Only administrators can change partnerships.
partnership-history = History of this partnership
partnership-partner = partner
partnership-customers = { $count } customers
partnership-hidden = and { $count } customers outside your areas
flash-partnership-created = Partnership created.
flash-partnership-saved = Partnership saved.
areas-intro = Areas group organizations; a supervisor sees only the organizations in their areas.
areas-empty = No areas yet.
area-new = New area
area-create = Create area
area-organizations = Organizations in this area
area-history = History of this area
flash-area-created = Area { $name } created.
flash-area-saved = Area saved.
