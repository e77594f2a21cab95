# Les mots de synctray sur le bureau, en français. Voir i18n/en/synctray.ftl.

## Nombres et heure

decimal-separator = ,
time-12h = { $hour }:{ $minute } { $period ->
    [am] AM
   *[pm] PM
}
time-12h-seconds = { $hour }:{ $minute }:{ $second } { $period ->
    [am] AM
   *[pm] PM
}
at-yesterday = hier { $time }
at-tomorrow = demain { $time }
at-weekday = { $weekday } { $time }
at-date = { $day } { $month } { $time }
at-date-year = { $day } { $month } { $year } { $time }
weekday-short = { $weekday ->
    [mon] lun.
    [tue] mar.
    [wed] mer.
    [thu] jeu.
    [fri] ven.
    [sat] sam.
   *[sun] dim.
}
month-short = { $month ->
    [jan] janv.
    [feb] févr.
    [mar] mars
    [apr] avr.
    [may] mai
    [jun] juin
    [jul] juil.
    [aug] août
    [sep] sept.
    [oct] oct.
    [nov] nov.
   *[dec] déc.
}
seconds = { $count } s
minutes = { $count } min
hours = { $count } h
days = { $count } j
length-two = { $first } { $second }
in-time = dans { $length }
now = maintenant

## Le menu

menu-title = synctray — { $workspace }
tooltip-title-several = synctray — { $count } espaces de travail
starting = Démarrage…
never-synced = Jamais synchronisé
last-sync-ok = ✓ Dernière synchronisation { $time } · { $length }
last-sync-failed = ✗ Dernière synchro { $time } · échec : { $what }
failed-interrupted = interrompue
failed-error = erreur
failing-run = la synchronisation
failing-since = ✗ { $job } échoue depuis { $since } ({ $runs ->
    [one] { $runs } fois
   *[other] { $runs } fois
})
interrupted = Interrompue { $time } (arrêtée pendant l’exécution)
interrupted-last-success = Interrompue { $time } (arrêtée) · dernier succès { $success }
cannot-sync = ✗ Synchronisation impossible : { $what }
with-data-age = { $line } · données de { $age }
data-old = ⚠ Données vieilles de { $age } (réussi à { $success })
data-old-never = ⚠ Données vieilles de { $age } (jamais réussi)
syncing-job = Synchronisation { $index }/{ $total } : { $job }…
retrying = Nouvel essai de { $job } { $when } (essai { $attempt }/{ $attempts })…
waiting-network = En attente du réseau…
waiting-power = En attente du secteur…
waiting-power-until = En attente du secteur (exécution à { $time })…
waiting-unmetered = En attente d’un réseau non limité…
waiting-unmetered-until = En attente d’un réseau non limité (exécution à { $time })…
syncing-elsewhere = Synchronisation (autre processus)…
syncing-elsewhere-pid = Synchronisation (autre processus, PID { $pid })…
paused = En pause
next-run = Prochaine exécution { $time } ({ $when })
next-run-at = Prochaine exécution { $time }
no-run-scheduled = Aucune exécution planifiée
not-syncing-until-fixed = Aucune synchro avant correction
served-elsewhere = Géré par un autre synctray
served-elsewhere-pid = Géré par un autre synctray (PID { $pid })
quitting = Fermeture…
quitting-stopping-sync = Fermeture : arrêt de la synchronisation…
config-not-applied = ⚠ Configuration non appliquée : { $what }
notice-already-running = ⚠ Une synchronisation est déjà en cours
notice-skipped = ⚠ { $trigger ->
    [schedule] Exécution planifiée ignorée
    [catch-up] Exécution de rattrapage ignorée
   *[manual] « Synchroniser maintenant » ignoré
} : une synchronisation était déjà en cours ({ $holder })
notice-not-changed = ⚠ { $edit ->
    [interval] Intervalle non modifié
    [pause] Pas mis en pause
   *[resume] Pas repris
} : { $what }
notice-config = ⚠ Configuration : { $what }
notice-config-typo = ⚠ { $key } → { $fix } ?
sync-now = Synchroniser maintenant
change-interval = Changer l’intervalle
every = Toutes les { $length }
custom = Personnalisé
custom-every = Personnalisé : toutes les { $length }
custom-schedule = Personnalisé : planification { $schedule }
pause-scheduled = Mettre en pause les synchronisations planifiées
pause = Mettre en pause
pause-for-an-hour = Pendant 1 heure
pause-until-tomorrow = Jusqu’à demain { $time }
pause-until-resumed = Jusqu’à la reprise
resume = Reprendre
paused-until = En pause jusqu’à { $time }
recent-runs = Exécutions récentes
no-runs-yet = Aucune exécution pour l’instant
open-logs = Ouvrir les journaux
edit-config = Modifier la configuration…
open-folder = Ouvrir le dossier de l’espace de travail
start-at-login = Lancer à l’ouverture de session
quit = Quitter
sync-all = Tout synchroniser maintenant
pause-all = Tout mettre en pause
summary = { $workspace } : { $state }
state-next = { $state } · prochaine { $time }
summary-syncing = Synchronisation…
summary-cannot-sync = ✗ Synchronisation impossible
summary-old = ⚠ Vieilles de { $age }

## Notifications

note-named = { $workspace } : { $title }
sync-failed = Échec de la synchronisation : { $job }
sync-failed-run = Échec de la synchronisation
exited = s’est terminé avec le code { $code }
killed = tué par le signal { $signal }
ended-abnormally = s’est terminé anormalement ({ $status })
command-not-found = impossible de démarrer : commande introuvable (code de sortie { $code })
could-not-start = impossible de démarrer « { $program } » : { $why }
not-waited = impossible d’attendre la fin : { $why }
timed-out = délai dépassé après { $length }
run-timed-out = délai dépassé (l’exécution a atteint staleLockMinutes)
interrupted-by-shutdown = interrompu par l’arrêt
failed-at-data-old = Échec à { $time } · données vieilles de { $age }
failing-since-data-old = Échoue depuis { $time } ({ $runs ->
    [one] { $runs } exécution
   *[other] { $runs } exécutions
}) · données vieilles de { $age }
sync-recovered = Synchronisation rétablie
all-jobs-succeeded = Toutes les tâches ont réussi en { $length }.
runs-can-start = Les exécutions planifiées peuvent reprendre.
cannot-sync-title = Synchronisation impossible : { $what }
runs-cannot-start = Les exécutions planifiées ne peuvent pas démarrer tant que ce n’est pas corrigé.
data-old-title = Données vieilles de { $age }
last-success-at = Dernière synchronisation réussie : { $time }.
no-success-yet = Aucune synchronisation n’a encore réussi.
sync-succeeded = Synchronisation réussie
config-not-applied-title = synctray : configuration non appliquée
last-good-config = La dernière configuration valide reste en usage.
not-started-title = synctray : la zone de notification n’a pas démarré
already-served = synctray est déjà lancé pour { $path } ({ $holder }) ; une deuxième zone de notification ne sera pas lancée
no-tray = impossible d’afficher la zone de notification : { $why } (ou lancez « synctray --daemon »)
cannot-open-title = synctray : impossible d’ouvrir { $name }
does-not-exist = il n’existe pas
its-path = Son chemin : { $path }
not-changed-title = synctray : { $edit ->
    [interval] intervalle non modifié
    [pause] pas mis en pause
   *[resume] pas repris
}
fix-the-file-first = Corrigez d’abord le fichier ; la configuration en vigueur reste.
check-config-title = synctray : vérifiez la configuration
show-log = Afficher le journal
pause-one-hour = Pause 1 h

## Pourquoi les exécutions planifiées ne peuvent pas démarrer, et ce qu’une configuration qui se charge a encore de faux

blocker-workspace-gone = le dossier de l’espace de travail { $path } a disparu
blocker-data-gone = le dossier data/ a disparu
blocker-data-unreadable = data/ est illisible : { $why }
blocker-data-not-folder = data/ n’est pas un dossier
blocker-data-read-only = data/ est en lecture seule
blocker-not-writable = data/ n’est pas accessible en écriture (permission refusée)
blocker-disk-full = le disque est plein
blocker-quota-full = le quota disque est épuisé
blocker-data-unusable = data/ est inutilisable : { $why }
blocker-not-regular = { $file } n’est pas un fichier ordinaire (supprimez-le)
blocker-leftover-run = les processus de l’exécution précédente (pid { $pid }) ne se sont pas terminés
blocker-config-broken = la configuration ne se charge pas : { $why }
blocker-unserved = le verrou d’instance est inutilisable : { $why }
warning-unknown-key-fix = { $path } : clé inconnue (vouliez-vous dire { $fix } ?)
warning-unknown-key = { $path } : clé inconnue, ignorée (connues : { $known })
warning-probe-without-require = "network.probe" ne sert qu’avec "network.require": true (les exécutions n’attendent pas le réseau)
warning-not-for-channel = { $key } : pas une clé d’un canal { $kind }, ignorée
warning-env-not-set = { $key } : { $var } n’est pas définie dans l’environnement de ce processus
warning-not-on-path = jobs.{ $job } : « { $program } » n’est pas dans le PATH (la tâche ne peut pas démarrer)
