# The notifications page of the portal, and the unsubscribe pages of the digests.

portal-notify-title = E-Mail-Benachrichtigungen
portal-notify-intro = Eine Zusammenfassung per E-Mail, was für Sie offen ist, in den Themen, die Sie wählen. Ist nichts offen, kommt keine E-Mail.
portal-notify-frequency = Wie oft
portal-notify-off = Aus
portal-notify-daily = Täglich
portal-notify-weekly = Wöchentlich, montags
portal-notify-at-eight = um 08:00 Uhr in Ihrer Zeitzone ({ $zone })
portal-notify-change-zone = Zeitzone ändern
portal-notify-categories = Kategorien
portal-notify-nothing-to-choose = Auf diesem Portal gibt es noch nichts zu wählen.
portal-notify-saved = Gespeichert.
portal-notify-next-due = Ihre nächste Zusammenfassung kommt am <strong>{ $when }</strong> ({ $zone }).
portal-notify-no-digest-off = Zusammenfassungen sind ausgeschaltet: Sie bekommen keine.
portal-notify-no-digest-no-category = Sie bekommen keine Zusammenfassung, bis Sie mindestens ein Thema wählen.
portal-notify-choose-frequency = Bitte wählen Sie, wie oft.
portal-notify-choose-categories = Bitte wählen Sie aus der Liste.
portal-notify-unsubscribe-title = Zusammenfassungen abbestellen
portal-notify-unsubscribe-question = Die Zusammenfassungen an <strong id="unsubscribe-email">{ $email }</strong> abbestellen?
portal-notify-unsubscribe-hint = Sie können sie jederzeit in Ihren Benachrichtigungs-Einstellungen wieder einschalten.
portal-notify-unsubscribe-button = Abbestellen
portal-notify-unsubscribed = Sie bekommen keine Zusammenfassungen mehr.
portal-notify-unsubscribed-hint = Um sie wieder zu bekommen, schalten Sie sie in Ihren Benachrichtigungs-Einstellungen ein.
portal-notify-unknown-link-title = Dieser Link funktioniert nicht
portal-notify-unknown-link = Dieser Link ist unbekannt oder abgelaufen. Um die Zusammenfassungen abzubestellen, nutzen Sie den Link einer neueren oder ändern Sie Ihre Benachrichtigungs-Einstellungen.
