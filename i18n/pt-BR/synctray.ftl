# As palavras do synctray na área de trabalho, em português do Brasil. Veja i18n/en/synctray.ftl.

## Números e hora

decimal-separator = ,
time-12h = { $hour }:{ $minute } { $period ->
    [am] AM
   *[pm] PM
}
time-12h-seconds = { $hour }:{ $minute }:{ $second } { $period ->
    [am] AM
   *[pm] PM
}
at-yesterday = ontem { $time }
at-tomorrow = amanhã { $time }
at-weekday = { $weekday } { $time }
at-date = { $day } de { $month } { $time }
at-date-year = { $day } de { $month } de { $year } { $time }
weekday-short = { $weekday ->
    [mon] seg
    [tue] ter
    [wed] qua
    [thu] qui
    [fri] sex
    [sat] sáb
   *[sun] dom
}
month-short = { $month ->
    [jan] jan
    [feb] fev
    [mar] mar
    [apr] abr
    [may] mai
    [jun] jun
    [jul] jul
    [aug] ago
    [sep] set
    [oct] out
    [nov] nov
   *[dec] dez
}
seconds = { $count } s
minutes = { $count } min
hours = { $count } h
days = { $count } d
length-two = { $first } { $second }
in-time = em { $length }
now = agora

## O menu

menu-title = synctray — { $workspace }
tooltip-title-several = synctray — { $count } espaços de trabalho
starting = Iniciando…
never-synced = Nunca sincronizado
last-sync-ok = ✓ Última sincronização { $time } · { $length }
last-sync-failed = ✗ Última sincronização { $time } · falhou: { $what }
failed-interrupted = interrompida
failed-error = erro
failing-run = a sincronização
failing-since = ✗ { $job } falha desde { $since } ({ $runs ->
    [one] { $runs } vez
   *[other] { $runs } vezes
})
interrupted = Interrompida { $time } (parada durante a execução)
interrupted-last-success = Interrompida { $time } (parada) · último sucesso { $success }
cannot-sync = ✗ Não é possível sincronizar: { $what }
with-data-age = { $line } · dados de { $age } atrás
data-old = ⚠ Dados de { $age } atrás (último sucesso { $success })
data-old-never = ⚠ Dados de { $age } atrás (nunca com sucesso)
syncing-job = Sincronizando { $index }/{ $total }: { $job }…
retrying = Nova tentativa de { $job } { $when } ({ $attempt }/{ $attempts })…
waiting-network = Aguardando a rede…
waiting-power = Aguardando a tomada…
waiting-power-until = Aguardando a tomada (executa às { $time })…
waiting-unmetered = Aguardando uma rede não limitada…
waiting-unmetered-until = Aguardando rede não limitada (executa às { $time })…
syncing-elsewhere = Sincronizando (outro processo)…
syncing-elsewhere-pid = Sincronizando (outro processo, PID { $pid })…
paused = Pausado
next-run = Próxima execução { $time } ({ $when })
next-run-at = Próxima execução { $time }
no-run-scheduled = Nenhuma execução agendada
not-syncing-until-fixed = Sem sincronizar até que isso seja corrigido
served-elsewhere = Atendido por outro synctray
served-elsewhere-pid = Atendido por outro synctray (PID { $pid })
quitting = Saindo…
quitting-stopping-sync = Saindo: parando a sincronização…
config-not-applied = ⚠ Configuração não aplicada: { $what }
notice-already-running = ⚠ Já há uma sincronização em andamento
notice-skipped = ⚠ { $trigger ->
    [schedule] Execução agendada ignorada
    [catch-up] Execução de recuperação ignorada
   *[manual] “Sincronizar agora” ignorado
}: já havia uma sincronização em andamento ({ $holder })
notice-not-changed = ⚠ { $edit ->
    [interval] Intervalo não alterado
    [pause] Não pausado
   *[resume] Não retomado
}: { $what }
notice-config = ⚠ Configuração: { $what }
notice-config-typo = ⚠ { $key } → { $fix }?
sync-now = Sincronizar agora
change-interval = Alterar intervalo
every = A cada { $length }
custom = Personalizado
custom-every = Personalizado: a cada { $length }
custom-schedule = Personalizado: agendamento { $schedule }
pause-scheduled = Pausar as sincronizações agendadas
pause = Pausar
pause-for-an-hour = Por 1 hora
pause-until-tomorrow = Até amanhã { $time }
pause-until-resumed = Até eu retomar
resume = Retomar
paused-until = Pausado até { $time }
recent-runs = Execuções recentes
no-runs-yet = Nenhuma execução ainda
open-logs = Abrir registros
edit-config = Editar configuração…
open-folder = Abrir pasta do espaço de trabalho
start-at-login = Iniciar ao entrar na sessão
quit = Sair
sync-all = Sincronizar tudo agora
pause-all = Pausar tudo
summary = { $workspace }: { $state }
state-next = { $state } · próxima { $time }
summary-syncing = Sincronizando…
summary-cannot-sync = ✗ Não é possível sincronizar
summary-old = ⚠ Dados de { $age } atrás

## Notificações

note-named = { $workspace }: { $title }
sync-failed = Falha na sincronização: { $job }
sync-failed-run = Falha na sincronização
exited = saiu com o código { $code }
killed = encerrado pelo sinal { $signal }
ended-abnormally = terminou de forma anormal ({ $status })
command-not-found = não foi possível iniciar: comando não encontrado (código de saída { $code })
could-not-start = não foi possível iniciar “{ $program }”: { $why }
not-waited = não foi possível aguardar o término: { $why }
timed-out = tempo esgotado após { $length }
run-timed-out = tempo esgotado (a execução atingiu staleLockMinutes)
interrupted-by-shutdown = interrompido pelo desligamento
failed-at-data-old = Falhou às { $time } · dados de { $age } atrás
failing-since-data-old = Falhando desde { $time } ({ $runs ->
    [one] { $runs } execução
   *[other] { $runs } execuções
}) · dados de { $age } atrás
sync-recovered = Sincronização restabelecida
all-jobs-succeeded = Todas as tarefas concluídas em { $length }.
runs-can-start = As execuções agendadas podem iniciar novamente.
cannot-sync-title = Não é possível sincronizar: { $what }
runs-cannot-start = As execuções agendadas não podem iniciar até que isso seja corrigido.
data-old-title = Dados de { $age } atrás
last-success-at = Última sincronização bem-sucedida: { $time }.
no-success-yet = Nenhuma sincronização foi bem-sucedida ainda.
sync-succeeded = Sincronização bem-sucedida
config-not-applied-title = synctray: configuração não aplicada
last-good-config = A última configuração válida continua em uso.
not-started-title = synctray: a bandeja não foi iniciada
already-served = o synctray já está em execução para { $path } ({ $holder }); uma segunda bandeja não será iniciada
no-tray = não é possível mostrar a bandeja: { $why } (ou execute “synctray --daemon”)
cannot-open-title = synctray: não é possível abrir { $name }
does-not-exist = não existe
its-path = Caminho: { $path }
not-changed-title = synctray: { $edit ->
    [interval] intervalo não alterado
    [pause] não pausado
   *[resume] não retomado
}
fix-the-file-first = Corrija o arquivo primeiro; a configuração em vigor continua.
check-config-title = synctray: verifique a configuração
show-log = Mostrar registro
pause-one-hour = Pausar 1 h

## Por que as execuções agendadas não podem iniciar, e o que uma configuração que carrega ainda tem de errado

blocker-workspace-gone = a pasta do espaço de trabalho { $path } não existe mais
blocker-data-gone = a pasta data/ não existe mais
blocker-data-unreadable = não é possível ler data/: { $why }
blocker-data-not-folder = data/ não é uma pasta
blocker-data-read-only = data/ é somente leitura
blocker-not-writable = não é possível gravar em data/ (permissão negada)
blocker-disk-full = o disco está cheio
blocker-quota-full = a cota de disco se esgotou
blocker-data-unusable = não é possível usar data/: { $why }
blocker-not-regular = { $file } não é um arquivo comum (remova-o)
blocker-leftover-run = os processos da execução anterior (pid { $pid }) não terminaram
blocker-config-broken = a configuração não carrega: { $why }
blocker-unserved = não é possível usar o bloqueio da instância: { $why }
warning-unknown-key-fix = { $path }: chave desconhecida (você quis dizer { $fix }?)
warning-unknown-key = { $path }: chave desconhecida, ignorada (conhecidas: { $known })
warning-probe-without-require = "network.probe" só é usado com "network.require": true (as execuções não esperam pela rede)
warning-not-for-channel = { $key }: não é uma chave de um canal { $kind }, ignorada
warning-env-not-set = { $key }: { $var } não está definida no ambiente deste processo
warning-not-on-path = jobs.{ $job }: “{ $program }” não está no PATH (a tarefa não pode iniciar)
