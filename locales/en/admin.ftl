# The administrator's pages: portals, task categories, staff, API keys, OpenID Connect
# clients, audit, outbox, mail and e-mail templates

## Portals
portal-new = New portal
portals-none = No portals yet.
portal-base-url = Base URL
portal-modules = Modules
registration-mode-invitation_only = Invitation only
registration-mode-self_automatic = Self-registration, automatic approval
registration-mode-self_manual = Self-registration, manual approval
portal-creates-contact = Self-registration creates a contact when none matches
portal-notify-staff = When someone asks for a new invitation or activation link, tell staff (who send it) instead of sending it at once
portal-invitation-lifetime = Invitation lifetime
portal-invitation-lifetime-hint = (days, 1 to 90)
portal-default-language = Default language
portal-default-time-zone = Default time zone
portal-time-zone-hint = New accounts on this portal take this zone; each person can choose their own.
portal-modules-hint = One module per line, its German name after a vertical bar (<code>Invoices | Rechnungen</code>); without one, German readers see the name itself. The name before the bar is what grants, decisions and tokens name the module by. End a line with a space and an asterisk (<code>Pricing | Preise *</code>) to show that module only to an organization's admins; end it with <code>(marketing)</code> for marketing material, the only modules a marketing account may be given (<code>Partner kit (marketing)</code>).
portal-name-de = Name in German
portal-name-de-hint = Shown to people who read German; when empty, they see the name above.
portal-module-line = Line { $line }: { $problem }
portal-impersonation = Viewing the portal as a person (impersonation)
portal-impersonation-allowed = Staff may view this portal as one of its accounts (with a reason and a time limit)
portal-impersonation-actions = Allow an organization admin's team actions while staff view the portal as them (otherwise read-only)
portal-impersonation-notice = Tell the person by e-mail afterwards: when, for how long, by whom and why
portal-history = History of this portal
flash-portal-created = Portal created.
flash-portal-saved = Portal saved.

## Task categories
categories-title = Task categories
categories-of = Task categories of { $portal }
categories-intro = The operator's systems post tasks about customers in these categories (<code>PUT /api/v1/portals/{ $portal }/tasks/{"{"}id{"}"}</code> with the category's key); the people of the portal choose among them for their digests. Admit's own categories (approvals, invitations about to expire…) are built in and not listed.
categories-order = Order
categories-key = Key
categories-name-en = Name (English)
categories-name-de = Name (German)
categories-description-en = Description (English)
categories-description-de = Description (German)
categories-remove = Remove
categories-order-of-row = Order of row { $row }
categories-key-of-row = Key of row { $row }
categories-name-en-of-row = English name of row { $row }
categories-name-de-of-row = German name of row { $row }
categories-description-en-of-row = English description of row { $row }
categories-description-de-of-row = German description of row { $row }
categories-new = new
categories-hint = Keys: <code>a-z 0-9 _ - .</code>, up to 50, starting with a letter or digit. An empty German name or description is the English one. Fill in an empty row to add a category (save to get more rows); change the numbers in Order to move them. A category that still holds tasks cannot be removed.
categories-save = Save the categories
categories-whole-number = must be a whole number
flash-categories-saved = Task categories saved: { $count ->
    [0] none
    [one] 1 category
   *[other] { $count } categories
}.

## OpenID Connect clients
oidc-clients-title = OpenID Connect clients

## E-mail templates
mail-templates-title = E-mail templates

## Staff
staff-new = New staff user
staff-none = No staff users.
staff-count = { $count ->
    [one] { $number } staff user
   *[other] { $number } staff users
}
staff-last-login = last login { $at }
staff-role-hint = Administrators see and manage everything; supervisors see the organizations of their areas.
staff-areas-hint = (for supervisors)
staff-no-areas = No areas yet. <a href="/console/areas">Create one</a>.
staff-active = Active
staff-active-hint = (a deactivated user cannot log in; their sessions end)
staff-password-hint = at least 12 characters
staff-create = Create staff user
staff-set-password-title = Set a new password
staff-own-password = To change your own password, use <a href="/console/account">your account page</a>.
staff-new-password-hint = at least 12 characters; every session of this user ends
staff-set-password = Set password
staff-sessions = Sessions
staff-end-sessions-hint = Logs this user out everywhere: every browser must log in again.
staff-end-sessions = End every session
staff-history = History of this staff user
flash-staff-created = Staff user created.
flash-staff-saved = Staff user saved.
flash-staff-password-set = Password set; the user's sessions have ended.

## API keys
api-keys-intro = Programs (such as a CRM sync) use an API key as a bearer token.
api-keys-all-areas = all (administrator)
api-keys-prefix = Prefix
api-keys-created = Created
api-keys-last-used = Last used
api-keys-revoked = Revoked
api-keys-none = No API keys yet.
api-key-new = New API key
api-key-new-named = New API key “{ $name }”
api-key-copy-now = Copy this key now and keep it safe: it is not shown again. Admit keeps only a hash of it.
api-key-revoke = Revoke
api-key-revoke-confirm = Revoke this key? Programs using it stop working at once.
api-key-name-hint = (what uses it, e.g. “CRM sync”)
api-key-areas = Limit to areas, like a supervisor
api-key-areas-hint = (optional; none ticked: the key may do everything an administrator may)
api-key-no-areas = No areas yet.
api-key-create = Create API key
flash-api-key-revoked = Revoked the API key { $name }.
