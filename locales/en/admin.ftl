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
oidc-clients-of = OpenID Connect clients of { $portal }
oidc-secret-of = Secret of “{ $name }”
oidc-client-id = Client ID
oidc-copy-secret = Copy this secret now into the application's settings: it is not shown again. Admit keeps only a hash of it.
oidc-clients-intro = The applications of this portal that log its people in through Admit (OpenID Connect).
oidc-kind = Kind
oidc-kind-confidential = confidential
oidc-kind-public = public
oidc-redirect-uris = Redirect URIs
oidc-scopes = Scopes
oidc-active = Active
oidc-new-secret = New secret
oidc-new-secret-confirm = Make a new secret? The old one stops working at once.
oidc-delete-confirm = Delete this client? The application can no longer log anyone in.
oidc-clients-none = No clients yet.
oidc-register = Register a client
oidc-name-hint = (the application, e.g. “Invoices”)
oidc-kind-hint = (fixed once registered)
oidc-kind-confidential-choice = Confidential: a server-side application; it gets a secret
oidc-kind-public-choice = Public: a browser or mobile application; no secret, PKCE instead
oidc-register-submit = Register the client
oidc-clients-history = History of clients
oidc-active-hint = (unticked: the application logs nobody in)
oidc-save = Save the client
oidc-logouts = Back-channel logouts
oidc-no-logout-uri = This client has no back-channel logout URI: it is told of no ended session.
oidc-logout-when = When
oidc-logout-account = Account
oidc-logout-account-removed = #{ $id } (removed)
oidc-logout-delivered = Delivered
oidc-logouts-none = No back-channel logouts yet.
oidc-client-history = History of this client
oidc-redirect-uris-hint = (one per line, at most 10; exact, https, or http on localhost or 127.0.0.1; no wildcard, no fragment)
oidc-post-logout-uris = Post-logout redirect URIs
oidc-post-logout-hint = (optional; one per line, the same rules)
oidc-backchannel-uri = Back-channel logout URI
oidc-same-rules-hint = (optional; the same rules)
oidc-scopes-legend = Scopes it may ask for
oidc-scopes-hint = (openid is required)
oidc-signing-alg = Token signing algorithm
oidc-signing-alg-hint = (ES256 unless the application's library expects RS256)
flash-oidc-client-deleted = Client { $name } deleted.
flash-oidc-client-saved = Client { $name } saved.
flash-logout-queued-again = The back-channel logout is queued again.

## E-mail templates
mail-templates-title = E-mail templates
mail-templates-of = { $portal }: e-mail templates
mail-templates-intro = each e-mail in English and German; the recipient's language is used, else the portal's ({ $language }).
mail-templates-email = E-mail
mail-template-edited = edited
mail-template-edited-html = edited (HTML)
mail-template-default = default
mail-template-is-edited = edited for this portal
mail-template-is-edited-html = edited for this portal, with its own HTML (advanced mode)
mail-template-is-default = the default text
mail-variables = Variables
mail-variables-hint = Filled in when the e-mail is sent, and escaped.
mail-variables-picker = Click one to insert it where the cursor is.
mail-subject = Subject
mail-texts = Texts
mail-texts-hint = Every e-mail has the same layout: the portal's name, your texts and a button. A blank line starts a new paragraph.
mail-greeting = Greeting
mail-greeting-hint = (the person's name and a comma follow, when known)
mail-paragraph = Paragraph { $n }
mail-paragraph-remove = Remove paragraph { $n }
mail-paragraph-add = Add a paragraph
mail-button = Button
mail-button-link = The button opens
mail-no-button = No button
mail-closing = Closing
mail-closing-hint = (after the button)
mail-advanced = Advanced: edit the HTML
mail-advanced-legend = HTML and text (advanced)
mail-advanced-hint = With "Advanced" ticked, these are saved as written instead of the texts above. Values are escaped in the HTML body.
mail-html-body = HTML body
mail-text-body = Text body
mail-reset = Back to the default
mail-reset-confirm = Go back to the default text?
mail-preview = Preview
mail-preview-sample = (sample data)
mail-html-preview = HTML preview
flash-template-saved = Template saved.
flash-template-reset = The default text is back.

## Audit
audit-action = Action
audit-action-placeholder = Action, e.g. staff.*
audit-action-label = Action (exact, or a prefix ending in *)
audit-actor = Actor
audit-target-kind = Target kind
audit-all-targets = All targets
audit-target-id = Target id
audit-from = From
audit-to = To
audit-hint = Times are in your time zone, { $zone }. An action ending in <code>*</code> matches every action that starts with it.
audit-time = Time
audit-target = Target
audit-change = Change
audit-details = Details
audit-before = Before
audit-after = After
audit-empty = No events match.
audit-target-organization = organization
audit-target-contact = contact
audit-target-area = area
audit-target-partnership = partnership
audit-target-portal = portal
audit-target-staff = staff
audit-target-api_key = API key
audit-target-portal_account = portal account
audit-target-oidc_client = OpenID Connect client
audit-target-oidc_key = signing key
audit-target-outbox_message = e-mail
audit-target-limit = limit
audit-target-request = request
audit-target-staff_user = staff
audit-target-task = task
audit-label-account-on = { $email } on { $portal }
audit-label-grant = grant { $grant } of client { $client }
audit-label-signing-keys = signing keys
audit-actor-kind-staff = staff
audit-actor-kind-api_key = API key
audit-actor-kind-cli = command line
audit-actor-kind-system = Admit
audit-actor-kind-portal_user = portal user

## Outbox
outbox-intro = Every e-mail Admit sends, written in the same transaction as the change that caused it.
outbox-to-mailbox = No SMTP server is configured: messages are delivered to the <a href="/console/mail">built-in mailbox</a>.
outbox-all-statuses = All statuses
outbox-template = Template
outbox-all-templates = All templates
outbox-recipient = Recipient
outbox-attempts = Attempts
outbox-last-error = Last error
outbox-sent = Sent
outbox-empty = No messages.
outbox-test-title = Send a test message
outbox-test-send = Send test
outbox-address = Address
outbox-message = Message { $id }
outbox-attempts-of = { $done } of { $max }
outbox-last-change = Last change
outbox-next-attempt = Next attempt
outbox-server-answer = Server's answer
outbox-as-sent = As it is sent
outbox-back = Back to the outbox
outbox-no-portal = (none)
outbox-cannot-show = This message cannot be shown: { $problem }
flash-test-queued = Test message queued.
flash-message-queued-again = The message is queued again.

## Mail
mailbox-intro = No SMTP server is configured, so Admit delivers its e-mail here: open a message to read it and follow its links.
mailbox-intro-smtp = An SMTP server is configured: new e-mail goes there. This mailbox holds what was delivered before.
mailbox-received = Received
mailbox-empty = No mail yet.
mailbox-headers = Headers
mailbox-date = Date
mailbox-outbox-message = message { $id }
mailbox-back = Back to the mail

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
