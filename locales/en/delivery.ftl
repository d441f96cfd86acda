# Why an e-mail or an application's logout notice was not delivered (the outbox's and the
# logout queue's last error), and where an e-mail went. { $detail } is data and shown as it is:
# a server's answer, an HTTP status, an address, the error before.

delivery-gave-up = gave up: the last attempt was interrupted
delivery-gave-up-after = gave up: the last attempt was interrupted; last error: { $detail }
delivery-no-link = not sent: the message has no link to make
delivery-account-gone = not sent: the account no longer exists
delivery-account-past-step = not sent: the account is past this step ({ $detail })
delivery-no-subscription = not sent: the digest's subscription no longer exists
delivery-template-failed = the template could not be rendered: { $detail }
delivery-not-an-address = the recipient is not an address: { $detail }
delivery-unsubscribe-link = the unsubscribe link { $detail } is not a plain URL
delivery-build-failed = the message cannot be built: { $detail }
delivery-smtp-untrusted = { $detail } (the SMTP server's certificate comes from an authority that is not trusted: point smtp_ca_file at that authority's PEM certificate)
delivery-smtp-misnamed = { $detail } (the SMTP server's certificate does not name smtp_host: set smtp_host to a name the certificate holds)
delivery-connect-timed-out = connecting to { $detail } timed out
delivery-connect-failed = cannot connect to { $detail }
delivery-tcp-nodelay = setting TCP_NODELAY: { $detail }
delivery-smtp-timed-out = the SMTP server did not answer in time
delivery-to-mailbox = delivered to the built-in mailbox

delivery-client-deleted = not sent: the client was deleted
delivery-client-off = not sent: the client is switched off
delivery-no-logout-uri = not sent: the client no longer has a back-channel logout URI
delivery-token-unsigned = the logout token could not be signed: { $detail }
delivery-client-redirected = the client answered { $detail } (redirects are not followed)
delivery-client-answered = the client answered { $detail }
delivery-no-answer = no answer within { $detail } s
delivery-uri-not-http = the back-channel logout URI is not an http or https URL
delivery-uri-no-host = the back-channel logout URI has no host
delivery-post-connect-failed = connecting to { $detail }
delivery-tls-failed = TLS with { $detail }
