# The words of the domain's values: an account's statuses and roles, a grouping of customers,
# why a login is refused, a digest's period, how an impersonation ended, a duration.

status-registration-invited = Invited
status-registration-activation_sent = Activation e-mail sent
status-registration-registered = Registered
status-approval-pending = Pending approval
status-approval-approved = Approved
status-approval-declined = Declined
status-assignment-pending = Pending
status-assignment-assigned = Assigned
status-lifecycle-active = Active
status-lifecycle-deactivated = Deactivated
status-role-admin = Admin
status-role-user = User
status-role-marketing = Marketing
status-role-notifications = Notifications

grouping-partnership = Partnership { $name }
grouping-sub-accounts = { $name } and its sub-accounts

login-refused-confirm-email = Please confirm your e-mail address first.
login-refused-user-deactivated = User deactivated.
login-refused-declined = Your request has been declined.
login-refused-awaiting-approval = Your account is awaiting approval.
login-refused-no-login = This account receives e-mail only and cannot log in.

period-week-of = week of { $day }
period-day = { $day }

impersonation-end-ended_by_staff = ended
impersonation-end-time_limit = time limit reached
impersonation-end-staff_logged_out = logged out of the console
impersonation-end-staff_session_ended = console session ended
impersonation-end-account_barred = account can no longer log in
impersonation-running = running
impersonation-end-session = session ended

duration-minutes = { $minutes ->
    [one] 1 minute
   *[other] { $minutes } minutes
}
