# The notifications page of the portal, and the unsubscribe pages of the digests.

portal-notify-title = E-mail notifications
portal-notify-intro = A digest by e-mail of what is open for you, in the categories you choose. Nothing open, no e-mail.
portal-notify-frequency = How often
portal-notify-off = Off
portal-notify-daily = Daily
portal-notify-weekly = Weekly, on Monday
portal-notify-at-eight = at 08:00 in your time zone ({ $zone })
portal-notify-change-zone = Change your time zone
portal-notify-categories = Categories
portal-notify-nothing-to-choose = There is nothing to choose on this portal yet.
portal-notify-saved = Saved.
portal-notify-next-due = Your next digest comes on <strong>{ $when }</strong> ({ $zone }).
portal-notify-no-digest-off = Digests are off: you get none.
portal-notify-no-digest-no-category = You get no digest until you choose at least one category.
portal-notify-choose-frequency = Please choose how often.
portal-notify-choose-categories = Please choose from the list.
portal-notify-unsubscribe-title = Stop the digests
portal-notify-unsubscribe-question = Stop the digests to <strong id="unsubscribe-email">{ $email }</strong>?
portal-notify-unsubscribe-hint = You can turn them on again at any time in your notification settings.
portal-notify-unsubscribe-button = Stop the digests
portal-notify-unsubscribed = You will not get digests any more.
portal-notify-unsubscribed-hint = To get them again, turn them on in your notification settings.
portal-notify-unknown-link-title = This link does not work
portal-notify-unknown-link = This link is unknown or has expired. To stop the digests, use the link of a newer one, or change your notification settings.
