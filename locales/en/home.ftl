# The console's home
home-title = Home
home-heading = What needs you now
home-across = Across every area.
home-within = Within your areas.
home-hint = Each count opens the list it counts.
home-awaiting-approval = Accounts awaiting approval
home-awaiting-contact = Registrations awaiting a contact
home-invitations-expiring = Invitations expiring within 48 hours
home-access-ending = Access ending within 7 days
home-failed-mail = E-mails that failed to send
