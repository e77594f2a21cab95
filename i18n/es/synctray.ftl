# Las palabras de synctray en el escritorio, en español. Véase i18n/en/synctray.ftl.

## Números y hora

decimal-separator = ,
time-12h = { $hour }:{ $minute } { $period ->
    [am] a. m.
   *[pm] p. m.
}
time-12h-seconds = { $hour }:{ $minute }:{ $second } { $period ->
    [am] a. m.
   *[pm] p. m.
}
at-yesterday = ayer { $time }
at-tomorrow = mañana { $time }
at-weekday = { $weekday } { $time }
at-date = { $day } { $month } { $time }
at-date-year = { $day } { $month } { $year } { $time }
weekday-short = { $weekday ->
    [mon] lun
    [tue] mar
    [wed] mié
    [thu] jue
    [fri] vie
    [sat] sáb
   *[sun] dom
}
month-short = { $month ->
    [jan] ene
    [feb] feb
    [mar] mar
    [apr] abr
    [may] may
    [jun] jun
    [jul] jul
    [aug] ago
    [sep] sept
    [oct] oct
    [nov] nov
   *[dec] dic
}
seconds = { $count } s
minutes = { $count } min
hours = { $count } h
days = { $count } d
length-two = { $first } { $second }
in-time = en { $length }
now = ahora

## El menú

menu-title = synctray — { $workspace }
tooltip-title-several = synctray — { $count } espacios de trabajo
starting = Iniciando…
never-synced = Nunca sincronizado
last-sync-ok = ✓ Última sincronización { $time } · { $length }
last-sync-failed = ✗ Última sincronización { $time } · falló: { $what }
failed-interrupted = interrumpida
failed-error = error
failing-run = la sincronización
failing-since = ✗ { $job } falla desde { $since } ({ $runs ->
    [one] { $runs } vez
   *[other] { $runs } veces
})
interrupted = Interrumpida { $time } (detenida en plena ejecución)
interrupted-last-success = Interrumpida { $time } (detenida) · último éxito { $success }
cannot-sync = ✗ No se puede sincronizar: { $what }
with-data-age = { $line } · datos de hace { $age }
data-old = ⚠ Datos de hace { $age } (último éxito { $success })
data-old-never = ⚠ Datos de hace { $age } (nunca con éxito)
syncing-job = Sincronizando { $index }/{ $total }: { $job }…
retrying = Reintentando { $job } { $when } (intento { $attempt }/{ $attempts })…
waiting-network = Esperando a la red…
waiting-power = Esperando corriente…
waiting-power-until = Esperando corriente (se ejecuta a las { $time })…
waiting-unmetered = Esperando a una red sin límite de datos…
waiting-unmetered-until = Esperando red sin límite (se ejecuta a las { $time })…
syncing-elsewhere = Sincronizando (otro proceso)…
syncing-elsewhere-pid = Sincronizando (otro proceso, pid { $pid })…
paused = En pausa
next-run = Próxima ejecución { $time } ({ $when })
next-run-at = Próxima ejecución { $time }
no-run-scheduled = Ninguna ejecución programada
not-syncing-until-fixed = No se sincroniza hasta que se corrija
served-elsewhere = Atendido por otro synctray
served-elsewhere-pid = Atendido por otro synctray (pid { $pid })
quitting = Saliendo…
quitting-stopping-sync = Saliendo: deteniendo la sincronización…
config-not-applied = ⚠ Configuración no aplicada: { $what }
notice-already-running = ⚠ Ya hay una sincronización en curso
notice-skipped = ⚠ { $trigger ->
    [schedule] Ejecución programada omitida
    [catch-up] Ejecución de recuperación omitida
   *[manual] «Sincronizar ahora» omitido
}: ya había una sincronización en curso ({ $holder })
notice-not-changed = ⚠ { $edit ->
    [interval] Intervalo no cambiado
    [pause] No pausado
   *[resume] No reanudado
}: { $what }
notice-config = ⚠ Configuración: { $what }
notice-config-typo = ⚠ { $key } → ¿{ $fix }?
sync-now = Sincronizar ahora
change-interval = Cambiar intervalo
every = Cada { $length }
custom = Personalizado
custom-every = Personalizado: cada { $length }
custom-schedule = Personalizado: programación { $schedule }
pause-scheduled = Pausar las sincronizaciones programadas
pause = Pausar
pause-for-an-hour = Durante 1 hora
pause-until-tomorrow = Hasta mañana { $time }
pause-until-resumed = Hasta que lo reanude
resume = Reanudar
paused-until = En pausa hasta { $time }
recent-runs = Ejecuciones recientes
no-runs-yet = Aún no hay ejecuciones
open-logs = Abrir registros
edit-config = Editar configuración…
open-folder = Abrir carpeta del espacio de trabajo
start-at-login = Iniciar al iniciar la sesión
quit = Salir
sync-all = Sincronizar todo ahora
pause-all = Pausar todo
summary = { $workspace }: { $state }
state-next = { $state } · próxima { $time }
summary-syncing = Sincronizando…
summary-cannot-sync = ✗ No se puede sincronizar
summary-old = ⚠ Datos de hace { $age }

## Notificaciones

note-named = { $workspace }: { $title }
sync-failed = Falló la sincronización: { $job }
sync-failed-run = Falló la sincronización
exited = terminó con el código { $code }
killed = terminado por la señal { $signal }
ended-abnormally = terminó de forma anómala ({ $status })
command-not-found = no se pudo iniciar: orden no encontrada (código de salida { $code })
could-not-start = no se pudo iniciar «{ $program }»: { $why }
not-waited = no se pudo esperar a que terminara: { $why }
timed-out = se agotó el tiempo tras { $length }
run-timed-out = se agotó el tiempo (la ejecución alcanzó staleLockMinutes)
interrupted-by-shutdown = interrumpido por el apagado
failed-at-data-old = Falló a las { $time } · datos de hace { $age }
failing-since-data-old = Falla desde { $time } ({ $runs ->
    [one] { $runs } ejecución
   *[other] { $runs } ejecuciones
}) · datos de hace { $age }
sync-recovered = Sincronización recuperada
all-jobs-succeeded = Todas las tareas se completaron en { $length }.
runs-can-start = Las ejecuciones programadas pueden volver a iniciarse.
cannot-sync-title = No se puede sincronizar: { $what }
runs-cannot-start = Las ejecuciones programadas no pueden iniciarse hasta que se corrija.
data-old-title = Los datos son de hace { $age }
last-success-at = Última sincronización correcta: { $time }.
no-success-yet = Ninguna sincronización ha tenido éxito todavía.
sync-succeeded = Sincronización correcta
config-not-applied-title = synctray: configuración no aplicada
last-good-config = Se sigue usando la última configuración válida.
not-started-title = synctray: la bandeja no se inició
already-served = synctray ya se está ejecutando para { $path } ({ $holder }); no se inicia una segunda bandeja
no-tray = no se puede mostrar la bandeja: { $why } (o ejecute «synctray --daemon»)
cannot-open-title = synctray: no se puede abrir { $name }
does-not-exist = no existe
its-path = Su ruta: { $path }
not-changed-title = synctray: { $edit ->
    [interval] el intervalo no se cambió
    [pause] no se pausó
   *[resume] no se reanudó
}
fix-the-file-first = Corrija primero el archivo; se mantiene la configuración vigente.
check-config-title = synctray: revise la configuración
show-log = Mostrar registro
pause-one-hour = Pausar 1 h

## Por qué no pueden iniciarse las ejecuciones programadas, y qué tiene mal una configuración que se carga

blocker-workspace-gone = la carpeta del espacio de trabajo { $path } ya no existe
blocker-data-gone = la carpeta data/ ya no existe
blocker-data-unreadable = no se puede leer data/: { $why }
blocker-data-not-folder = data/ no es una carpeta
blocker-data-read-only = data/ es de solo lectura
blocker-not-writable = no se puede escribir en data/ (permiso denegado)
blocker-disk-full = el disco está lleno
blocker-quota-full = se agotó la cuota de disco
blocker-data-unusable = no se puede usar data/: { $why }
blocker-not-regular = { $file } no es un archivo normal (elimínelo)
blocker-leftover-run = los procesos de la ejecución anterior (pid { $pid }) no terminaron
blocker-config-broken = la configuración no se carga: { $why }
blocker-unserved = no se puede usar el bloqueo de instancia: { $why }
warning-unknown-key-fix = { $path }: clave desconocida (¿quiso decir { $fix }?)
warning-unknown-key = { $path }: clave desconocida, se ignora (conocidas: { $known })
warning-probe-without-require = "network.probe" solo se usa con "network.require": true (las ejecuciones no esperan a la red)
warning-not-for-channel = { $key }: no es una clave de un canal { $kind }, se ignora
warning-env-not-set = { $key }: { $var } no está definida en el entorno de este proceso
warning-not-on-path = jobs.{ $job }: «{ $program }» no está en el PATH (la tarea no puede iniciarse)
