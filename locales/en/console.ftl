# The console's frame: navigation, common buttons, messages
console-title = Admit console
nav-home = Home
nav-organizations = Organizations
nav-contacts = Contacts
nav-access = Access
nav-partnerships = Partnerships
nav-notifications = Notifications
nav-areas = Areas
nav-portals = Portals
nav-staff = Staff
nav-api-keys = API keys
nav-outbox = Outbox
nav-mail = Mail
nav-audit = Audit
log-out = Log out
skip-to-content = Skip to content
undo = Undo
undo-within = possible within { $minutes } minutes
mailbox-banner = <strong>E-mail is not sent.</strong> No SMTP server is configured (<code>smtp_host</code>), so every message lands in the built-in <a href="/console/mail">Mail</a> page instead of reaching people. Set <code>smtp_host</code>, or set <code>mail_mode = "mailbox"</code> if this is meant.
badge-granted = granted
badge-switched-off = switched off
badge-active = active
badge-deactivated = deactivated
badge-has-access = has access
badge-no-account = no account
badge-no-access-yet = no access yet
badge-outbox-queued = queued
badge-outbox-sending = sending
badge-outbox-sent = sent
badge-outbox-retrying = retrying
badge-outbox-failed = failed
sessions-ended = { $count ->
    [one] 1 session ended.
   *[other] { $count } sessions ended.
}
back-to-console = Back to the console
wait-minutes = { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
}
login-title = Log in
login-password = Password
login-logged-out = You are logged out.
login-expired = The login form had expired; please log in again.
login-wrong = Wrong e-mail or password.
no = No
delete = Delete
send-again = Send again
language-en = English
language-de = German
actor-api-key = API key { $name }
actor-oidc-client = client { $name }
actor-command-line = command line ({ $user })
actor-self-registration-of = self-registration of { $email }
actor-system-expiry = expiry
actor-system-signing-keys = signing keys
actor-system-self-registration = self-registration
actor-system-unsubscribe-link = unsubscribe link
actor-system-impersonation = viewing as the person
actor-system-demo = demo data
