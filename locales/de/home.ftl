# The console's home
home-title = Start
home-heading = Was jetzt ansteht
home-across = In allen Bereichen.
home-within = In Ihren Bereichen.
home-hint = Jede Zahl öffnet die Liste, die sie zählt.
home-awaiting-approval = Konten, die auf Freigabe warten
home-awaiting-contact = Registrierungen, die auf einen Kontakt warten
home-invitations-expiring = Einladungen, die innerhalb von 48 Stunden ablaufen
home-access-ending = Zugänge, die innerhalb von 7 Tagen enden
home-failed-mail = E-Mails, die nicht versendet werden konnten
