# The history of a page: each audit action as a sentence ("Declined by Maria Keller — e-mail
# sent to anna@…"). A sentence is the action's phrase, who did it, and what went with it.

history-heading = History
history-empty = Nothing has happened yet.
# An action the catalog does not know yet, named by its code.
history-sentence-unknown = Recorded ({ $action })
history-sentence-by = { $what } by { $who }
history-sentence-detail = { $what } — { $detail }
history-sentence-email-to = e-mail to { $to }
history-sentence-email-sent = e-mail sent to { $to }
history-sentence-email-waiting = e-mail to { $to } waiting in the outbox
history-sentence-email-failed = e-mail to { $to } failed
history-sentence-email-not-sent = e-mail to { $to } not sent
history-sentence-email-cancelled = the e-mail to { $to } was not sent
history-sentence-email-already-sent = the e-mail to { $to } had already been sent
history-sentence-valid-until = valid until { $day }
history-sentence-no-end-date = no end date

# Each audit action's phrase: history-<action>, its dot a hyphen (account.switch_off:
# history-account-switch_off).

# A portal account's statuses, set by staff.
history-account-approve = Approved
history-account-decline = Declined
history-account-switch_off = Access switched off
history-account-switch_on = Access switched on
history-account-set_valid_until = Valid-until date changed
history-account-deactivate = Deactivated
history-account-reactivate = Reactivated
history-account-approve_undone = Approval undone
history-account-decline_undone = Decline undone
history-account-switch_off_undone = Switching access off undone
history-account-switch_on_undone = Switching access on undone
history-account-deactivate_undone = Deactivation undone
history-account-reactivate_undone = Reactivation undone

# A portal account's life.
history-account-granted = Invited (access granted)
history-account-access_changed = Role, modules or customers changed
history-account-contact_linked = Linked to a contact
history-account-invitation_accepted = Invitation accepted, password set
history-account-invitation_cancelled = Invitation cancelled
history-account-link_resent = Invitation or activation e-mail sent again
history-account-new_link_requested = New link requested
history-account-registered = Registered on the portal
history-account-registered_again = Registered again
history-account-registered_while_invited = Registered while an invitation was open
history-account-activated = E-mail address confirmed
history-account-removed = Removed
history-account-profile_changed = Profile changed
history-account-email_change_requested = Change of e-mail address requested
history-account-email_changed = E-mail address changed
history-account-password_changed = Password changed
history-account-password_check_failed = Password check failed
history-account-password_link_sent = New-password link sent
history-account-password_reset = Password reset
history-account-password_reset_requested = Password reset requested
history-account-logged_in = Logged in
history-account-logged_out = Logged out
history-account-login_failed = Login failed
history-account-login_refused = Login refused
history-account-session_ended = A session ended
history-account-other_sessions_ended = Other sessions ended
history-account-sessions_ended = Sessions ended
history-account-impersonation_started = Viewing the portal as this person started
history-account-impersonation_ended = Viewing the portal as this person ended
history-account-impersonation_refused = Viewing the portal as this person refused
history-account-impersonation_session_refused = A session viewing the portal as this person refused
history-account-impersonation_change_refused = A change while viewing the portal as this person refused

# Staff.
history-staff-created = Staff member created
history-staff-updated = Staff member changed
history-staff-deactivated = Staff member deactivated
history-staff-reactivated = Staff member reactivated
history-staff-locale_changed = Language or time zone changed
history-staff-logged_in = Logged in to the console
history-staff-logged_out = Logged out of the console
history-staff-login_failed = Console login failed
history-staff-password_changed = Password changed
history-staff-password_check_failed = Password check failed
history-staff-session_ended = A console session ended
history-staff-other_sessions_ended = Other console sessions ended
history-staff-sessions_ended = Console sessions ended

# The directory and the portals.
history-organization-created = Organization created
history-organization-updated = Organization changed
history-contact-created = Contact created
history-contact-updated = Contact changed
history-area-created = Area created
history-area-updated = Area changed
history-partnership-created = Partnership created
history-partnership-updated = Partnership changed
history-portal-created = Portal created
history-portal-updated = Portal changed
history-portal-impersonation_changed = Settings for viewing the portal as a person changed
history-portal-task_categories_set = Task categories changed
history-task-created = Task created
history-task-updated = Task changed
history-task-closed = Task closed
history-task-reopened = Task reopened
history-notifications-changed = Notification settings changed
history-notifications-unsubscribed = Unsubscribed from digests

# E-mail.
history-mail-requeued = E-mail queued again
history-mail-test_queued = Test e-mail queued
history-mail_template-saved = E-mail template saved
history-mail_template-reset = E-mail template reset to the default

# API keys, applications and their keys.
history-api_key-created = API key created
history-api_key-revoked = API key revoked
history-oidc_client-created = Application created
history-oidc_client-updated = Application changed
history-oidc_client-deleted = Application deleted
history-oidc_client-secret_renewed = Application secret renewed
history-oidc-authorize_refused = An application's login request refused
history-oidc-client_refused = An application refused (wrong credentials)
history-oidc-token_refused = Token request refused
history-oidc-grant_ended = An application login ended
history-oidc-key_created = Signing key created
history-oidc-keys_rotated = Signing keys rotated
history-oidc-keys_retired = Old signing keys retired
history-oidc_logout-requeued = Logout notice to an application queued again

# Security.
history-security-csrf_refused = A form from another site refused
history-security-forbidden = Access refused
history-security-unknown_api_key = Unknown API key refused
history-security-throttled = Slowed down after many attempts
history-security-locked_out = Locked out after too many attempts
