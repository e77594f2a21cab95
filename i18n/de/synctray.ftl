# Die Worte von synctray auf dem Desktop, auf Deutsch. Siehe i18n/en/synctray.ftl.

## Zahlen und Uhrzeit

decimal-separator = ,
time-12h = { $hour }:{ $minute } { $period ->
    [am] AM
   *[pm] PM
}
time-12h-seconds = { $hour }:{ $minute }:{ $second } { $period ->
    [am] AM
   *[pm] PM
}
at-yesterday = gestern { $time }
at-tomorrow = morgen { $time }
at-weekday = { $weekday } { $time }
at-date = { $day }. { $month } { $time }
at-date-year = { $day }. { $month } { $year } { $time }
weekday-short = { $weekday ->
    [mon] Mo
    [tue] Di
    [wed] Mi
    [thu] Do
    [fri] Fr
    [sat] Sa
   *[sun] So
}
month-short = { $month ->
    [jan] Jan.
    [feb] Feb.
    [mar] März
    [apr] Apr.
    [may] Mai
    [jun] Juni
    [jul] Juli
    [aug] Aug.
    [sep] Sep.
    [oct] Okt.
    [nov] Nov.
   *[dec] Dez.
}
seconds = { $count } s
minutes = { $count } Min.
hours = { $count } Std.
days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}
length-two = { $first } { $second }
in-time = in { $length }
now = jetzt

## Das Menü

menu-title = synctray — { $workspace }
tooltip-title-several = synctray — { $count } Arbeitsbereiche
starting = Wird gestartet…
never-synced = Noch nie synchronisiert
last-sync-ok = ✓ Zuletzt synchronisiert { $time } · { $length }
last-sync-failed = ✗ Zuletzt synchronisiert { $time } · Fehler: { $what }
failed-interrupted = unterbrochen
failed-error = Fehler
failing-run = Synchronisation
failing-since = ✗ { $job } fehlerhaft seit { $since } ({ $runs ->
    [one] { $runs } Lauf
   *[other] { $runs } Läufe
})
interrupted = Unterbrochen { $time } (im Durchlauf angehalten)
interrupted-last-success = Unterbrochen { $time } (angehalten) · letzter Erfolg { $success }
cannot-sync = ✗ Synchronisation nicht möglich: { $what }
with-data-age = { $line } · Daten { $age } alt
data-old = ⚠ Daten { $age } alt (letzter Erfolg { $success })
data-old-never = ⚠ Daten { $age } alt (noch nie erfolgreich)
syncing-job = Synchronisiere { $index }/{ $total }: { $job }…
retrying = Wiederhole { $job } { $when } (Versuch { $attempt }/{ $attempts })…
waiting-network = Warte auf Netzwerk…
waiting-power = Warte auf Netzstrom…
waiting-power-until = Warte auf Netzstrom (läuft trotzdem um { $time })…
waiting-unmetered = Warte auf Netz ohne Volumenlimit…
waiting-unmetered-until = Warte auf Netz ohne Volumenlimit (läuft um { $time })…
syncing-elsewhere = Synchronisiere (anderer Prozess)…
syncing-elsewhere-pid = Synchronisiere (anderer Prozess, PID { $pid })…
paused = Pausiert
next-run = Nächster Durchlauf { $time } ({ $when })
next-run-at = Nächster Durchlauf { $time }
no-run-scheduled = Kein Durchlauf geplant
not-syncing-until-fixed = Keine Synchronisation, bis das behoben ist
served-elsewhere = Von einem anderen synctray bedient
served-elsewhere-pid = Von einem anderen synctray bedient (PID { $pid })
quitting = Wird beendet…
quitting-stopping-sync = Wird beendet: Synchronisation wird angehalten…
config-not-applied = ⚠ Konfiguration nicht übernommen: { $what }
notice-already-running = ⚠ Eine Synchronisation läuft bereits
notice-skipped = ⚠ { $trigger ->
    [schedule] Geplanter Durchlauf
    [catch-up] Nachholdurchlauf
   *[manual] „Jetzt synchronisieren“
} übersprungen: Eine Synchronisation lief bereits ({ $holder })
notice-not-changed = ⚠ { $edit ->
    [interval] Intervall nicht geändert
    [pause] Nicht pausiert
   *[resume] Nicht fortgesetzt
}: { $what }
notice-config = ⚠ Konfiguration: { $what }
notice-config-typo = ⚠ { $key } → { $fix }?
sync-now = Jetzt synchronisieren
change-interval = Intervall ändern
every = Alle { $length }
custom = Benutzerdefiniert
custom-every = Benutzerdefiniert: alle { $length }
custom-schedule = Benutzerdefiniert: Zeitplan { $schedule }
pause-scheduled = Geplante Synchronisationen pausieren
pause = Pausieren
pause-for-an-hour = Für 1 Stunde
pause-until-tomorrow = Bis morgen { $time }
pause-until-resumed = Bis zur Fortsetzung
resume = Fortsetzen
paused-until = Pausiert bis { $time }
recent-runs = Letzte Durchläufe
no-runs-yet = Noch keine Durchläufe
open-logs = Protokolle öffnen
edit-config = Konfiguration bearbeiten…
open-folder = Arbeitsbereichsordner öffnen
start-at-login = Beim Anmelden starten
quit = Beenden
sync-all = Alle jetzt synchronisieren
pause-all = Alle pausieren
summary = { $workspace }: { $state }
state-next = { $state } · nächster { $time }
summary-syncing = Synchronisiere…
summary-cannot-sync = ✗ Synchronisation nicht möglich
summary-old = ⚠ { $age } alt

## Benachrichtigungen

note-named = { $workspace }: { $title }
sync-failed = Synchronisation fehlgeschlagen: { $job }
sync-failed-run = Synchronisation fehlgeschlagen
exited = mit Code { $code } beendet
killed = durch Signal { $signal } beendet
ended-abnormally = unerwartet beendet ({ $status })
command-not-found = konnte nicht starten: Befehl nicht gefunden (Exit-Code { $code })
could-not-start = „{ $program }“ konnte nicht starten: { $why }
not-waited = konnte nicht abgewartet werden: { $why }
timed-out = Zeitüberschreitung nach { $length }
run-timed-out = Zeitüberschreitung (der Durchlauf hat staleLockMinutes erreicht)
interrupted-by-shutdown = durch Herunterfahren unterbrochen
failed-at-data-old = Fehlgeschlagen um { $time } · Daten sind { $age } alt
failing-since-data-old = Schlägt seit { $time } fehl ({ $runs ->
    [one] { $runs } Durchlauf
   *[other] { $runs } Durchläufe
}) · Daten sind { $age } alt
sync-recovered = Synchronisation wieder erfolgreich
all-jobs-succeeded = Alle Aufgaben in { $length } erfolgreich.
runs-can-start = Geplante Durchläufe können wieder starten.
cannot-sync-title = Synchronisation nicht möglich: { $what }
runs-cannot-start = Geplante Durchläufe können erst starten, wenn das behoben ist.
data-old-title = Daten sind { $age } alt
last-success-at = Zuletzt erfolgreich synchronisiert: { $time }.
no-success-yet = Noch keine Synchronisation war erfolgreich.
sync-succeeded = Synchronisation erfolgreich
config-not-applied-title = synctray: Konfiguration nicht übernommen
last-good-config = Die letzte gültige Konfiguration bleibt in Gebrauch.
not-started-title = synctray: Die Statusleiste wurde nicht gestartet
already-served = synctray läuft bereits für { $path } ({ $holder }); eine zweite Statusleiste wird nicht gestartet
no-tray = Die Statusleiste kann nicht angezeigt werden: { $why } (oder „synctray --daemon“ ausführen)
cannot-open-title = synctray: { $name } kann nicht geöffnet werden
does-not-exist = es existiert nicht
its-path = Pfad: { $path }
not-changed-title = synctray: { $edit ->
    [interval] Intervall nicht geändert
    [pause] nicht pausiert
   *[resume] nicht fortgesetzt
}
fix-the-file-first = Zuerst die Datei korrigieren; die geltende Konfiguration bleibt.
check-config-title = synctray: Konfiguration prüfen
show-log = Protokoll anzeigen
pause-one-hour = 1 h pausieren

## Warum geplante Durchläufe nicht starten können, und was eine ladbare Konfiguration noch falsch hat

blocker-workspace-gone = der Arbeitsbereichsordner { $path } ist verschwunden
blocker-data-gone = der Ordner data/ ist verschwunden
blocker-data-unreadable = data/ kann nicht gelesen werden: { $why }
blocker-data-not-folder = data/ ist kein Ordner
blocker-data-read-only = data/ ist schreibgeschützt
blocker-not-writable = data/ ist nicht beschreibbar (Zugriff verweigert)
blocker-disk-full = der Datenträger ist voll
blocker-quota-full = das Speicherkontingent ist aufgebraucht
blocker-data-unusable = data/ kann nicht verwendet werden: { $why }
blocker-not-regular = { $file } ist keine reguläre Datei (bitte entfernen)
blocker-leftover-run = die Prozesse des vorigen Durchlaufs (PID { $pid }) wurden nicht beendet
blocker-config-broken = die Konfiguration lässt sich nicht laden: { $why }
blocker-unserved = die Instanzsperre ist nicht nutzbar: { $why }
warning-unknown-key-fix = { $path }: unbekannter Schlüssel (meinten Sie { $fix }?)
warning-unknown-key = { $path }: unbekannter Schlüssel, ignoriert (bekannt: { $known })
warning-probe-without-require = "network.probe" wird nur mit "network.require": true verwendet (Durchläufe warten nicht auf das Netzwerk)
warning-not-for-channel = { $key }: kein Schlüssel eines { $kind }-Kanals, ignoriert
warning-env-not-set = { $key }: { $var } ist in der Umgebung dieses Prozesses nicht gesetzt
warning-not-on-path = jobs.{ $job }: „{ $program }“ ist nicht im PATH (die Aufgabe kann nicht starten)
