# Why an e-mail or an application's logout notice was not delivered (the outbox's and the
# logout queue's last error), and where an e-mail went. { $detail } is data and shown as it is:
# a server's answer, an HTTP status, an address, the error before.

delivery-gave-up = aufgegeben: der letzte Versuch wurde unterbrochen
delivery-gave-up-after = aufgegeben: der letzte Versuch wurde unterbrochen; letzter Fehler: { $detail }
delivery-no-link = nicht gesendet: für die Nachricht ist kein Link zu erstellen
delivery-account-gone = nicht gesendet: das Konto gibt es nicht mehr
delivery-account-past-step = nicht gesendet: das Konto ist schon weiter ({ $detail })
delivery-no-subscription = nicht gesendet: das Abonnement der Zusammenfassung gibt es nicht mehr
delivery-template-failed = die Vorlage konnte nicht dargestellt werden: { $detail }
delivery-not-an-address = der Empfänger ist keine Adresse: { $detail }
delivery-unsubscribe-link = der Abmeldelink { $detail } ist keine einfache URL
delivery-build-failed = die Nachricht lässt sich nicht zusammensetzen: { $detail }
delivery-smtp-untrusted = { $detail } (das Zertifikat des SMTP-Servers stammt von einer Stelle, der nicht vertraut wird: smtp_ca_file auf das PEM-Zertifikat dieser Stelle zeigen lassen)
delivery-smtp-misnamed = { $detail } (das Zertifikat des SMTP-Servers nennt smtp_host nicht: smtp_host auf einen Namen setzen, den das Zertifikat enthält)
delivery-connect-timed-out = Zeitüberschreitung beim Verbinden mit { $detail }
delivery-connect-failed = keine Verbindung zu { $detail }
delivery-tcp-nodelay = TCP_NODELAY ließ sich nicht setzen: { $detail }
delivery-smtp-timed-out = der SMTP-Server hat nicht rechtzeitig geantwortet
delivery-to-mailbox = in das eingebaute Postfach zugestellt

delivery-client-deleted = nicht gesendet: die Anwendung wurde gelöscht
delivery-client-off = nicht gesendet: die Anwendung ist abgeschaltet
delivery-no-logout-uri = nicht gesendet: die Anwendung hat keine Back-Channel-Logout-URI mehr
delivery-token-unsigned = das Logout-Token konnte nicht signiert werden: { $detail }
delivery-client-redirected = die Anwendung antwortete { $detail } (Weiterleitungen werden nicht verfolgt)
delivery-client-answered = die Anwendung antwortete { $detail }
delivery-no-answer = keine Antwort innerhalb von { $detail } s
delivery-uri-not-http = die Back-Channel-Logout-URI ist keine http- oder https-URL
delivery-uri-no-host = die Back-Channel-Logout-URI hat keinen Host
delivery-post-connect-failed = Verbindung mit { $detail } fehlgeschlagen
delivery-tls-failed = TLS mit { $detail } fehlgeschlagen
