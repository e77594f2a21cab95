# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_synctray_global_optspecs
    string join \n w/workspace= daemon h/help V/version
end

function __fish_synctray_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_synctray_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_synctray_using_subcommand
    set -l cmd (__fish_synctray_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c synctray -n "__fish_synctray_needs_command" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_needs_command" -l daemon -d 'Run the scheduler without a tray icon; stops on SIGTERM or Ctrl-C'
complete -c synctray -n "__fish_synctray_needs_command" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_needs_command" -s V -l version -d 'Print version'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "sync" -d 'Run the sync jobs once now, in this process, under the lock'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "export" -d 'Write units that run this workspace\'s syncs from the machine\'s scheduler instead of synctray\'s: systemd, launchd, windows (Task Scheduler) or k8s (a CronJob)'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "unexport" -d 'Remove the files `export` wrote for this workspace from a folder, and nothing else'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "status" -d 'Show the workspace, the last run, the next run and whether a sync is running'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "interval" -d 'Sync every N minutes (1 to 1440); replaces a `schedule` in the config'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "pause" -d 'Pause scheduled syncs (`synctray sync` still works): until `synctray resume`, or for a while'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "resume" -d 'Resume scheduled syncs'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "check" -d 'Check the configuration; exits 0 if it is valid, 2 if not'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "history" -d 'Show the last runs, newest first: start, result, trigger, duration, what failed'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "next" -d 'Show the next times the scheduler will run, in local time and UTC; exits 2 if the configuration is invalid'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "logs" -d 'Print the log of the last run, or of the run K runs back; exits 1 if there is none'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "add" -d 'Add a workspace to the list that the tray and --daemon serve (the current folder if no DIR); exits 2 if the folder holds no valid workspace'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "remove" -d 'Remove a workspace from the list, by its name or its folder (its files stay)'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "workspaces" -d 'List the workspaces of the list: name, folder, state, last run, next run'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "alerts" -d 'The alert channels of the configuration (`alerts`: ntfy, webhooks, a command)'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "completions" -d 'Print the completion script for SHELL (bash, zsh, fish, elvish, powershell)'
complete -c synctray -n "__fish_synctray_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c synctray -n "__fish_synctray_using_subcommand sync" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand sync" -l scheduled -d 'Run as the scheduler would at a due time (for systemd, launchd, Task Scheduler or Kubernetes, see `export`): recorded with trigger `schedule`, it first waits for the network and the conditions the config asks for, and is skipped (exit 0) while scheduled syncs are paused'
complete -c synctray -n "__fish_synctray_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c synctray -n "__fish_synctray_using_subcommand export" -s o -l output -d 'Write the files into DIR (created if missing) instead of printing them' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand export" -l image -d 'k8s: the container image holding synctray and the jobs\' tools' -r
complete -c synctray -n "__fish_synctray_using_subcommand export" -l claim -d 'k8s: the PersistentVolumeClaim holding the workspace (default: the CronJob\'s name)' -r
complete -c synctray -n "__fish_synctray_using_subcommand export" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand export" -l user -d 'Units for your user (the default): systemd --user, a LaunchAgent, a task run as you'
complete -c synctray -n "__fish_synctray_using_subcommand export" -l system -d 'Units for the whole system: /etc/systemd/system (run as you), a LaunchDaemon, a task run as SYSTEM'
complete -c synctray -n "__fish_synctray_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c synctray -n "__fish_synctray_using_subcommand unexport" -s o -l output -d 'The folder the files were written to (default: where systemd or launchd reads them)' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand unexport" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand unexport" -l user -d 'Units for your user (the default): systemd --user, a LaunchAgent, a task run as you'
complete -c synctray -n "__fish_synctray_using_subcommand unexport" -l system -d 'Units for the whole system: /etc/systemd/system (run as you), a LaunchDaemon, a task run as SYSTEM'
complete -c synctray -n "__fish_synctray_using_subcommand unexport" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c synctray -n "__fish_synctray_using_subcommand status" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand status" -l json -d 'Print one JSON object (camelCase keys) instead of text'
complete -c synctray -n "__fish_synctray_using_subcommand status" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand interval" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand interval" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c synctray -n "__fish_synctray_using_subcommand pause" -l for -d 'Pause for this long: 2h, 90m, 1h30m, 1d' -r
complete -c synctray -n "__fish_synctray_using_subcommand pause" -l until -d 'Pause until this time: 08:00 (the next one), or 2026-11-26T08:00' -r
complete -c synctray -n "__fish_synctray_using_subcommand pause" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c synctray -n "__fish_synctray_using_subcommand resume" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand resume" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand check" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand check" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand history" -s n -d 'How many runs' -r
complete -c synctray -n "__fish_synctray_using_subcommand history" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand history" -l json -d 'Print a JSON array of the history records instead of text'
complete -c synctray -n "__fish_synctray_using_subcommand history" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand next" -s n -d 'How many times' -r
complete -c synctray -n "__fish_synctray_using_subcommand next" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand next" -l json -d 'Print a JSON array of ISO-8601 UTC times instead of text'
complete -c synctray -n "__fish_synctray_using_subcommand next" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand logs" -l run -d '1 is the last run, 2 the one before, …' -r
complete -c synctray -n "__fish_synctray_using_subcommand logs" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand logs" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand add" -l name -d 'What to call it (default: the folder\'s name)' -r
complete -c synctray -n "__fish_synctray_using_subcommand add" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand add" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand remove" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand remove" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand workspaces" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand workspaces" -l json -d 'Print a JSON array instead of text'
complete -c synctray -n "__fish_synctray_using_subcommand workspaces" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -f -a "test" -d 'Send a test message through every channel and say which worked; exits 1 if one failed (or there is none), 2 if the configuration is invalid'
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and __fish_seen_subcommand_from test" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a test message through every channel and say which worked; exits 1 if one failed (or there is none), 2 if the configuration is invalid'
complete -c synctray -n "__fish_synctray_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c synctray -n "__fish_synctray_using_subcommand completions" -s w -l workspace -d 'The workspace: its folder (the one holding data/config/sync.json), or its name in the workspace list. The tray and --daemon take it several times' -r -F
complete -c synctray -n "__fish_synctray_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "sync" -d 'Run the sync jobs once now, in this process, under the lock'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "export" -d 'Write units that run this workspace\'s syncs from the machine\'s scheduler instead of synctray\'s: systemd, launchd, windows (Task Scheduler) or k8s (a CronJob)'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "unexport" -d 'Remove the files `export` wrote for this workspace from a folder, and nothing else'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "status" -d 'Show the workspace, the last run, the next run and whether a sync is running'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "interval" -d 'Sync every N minutes (1 to 1440); replaces a `schedule` in the config'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "pause" -d 'Pause scheduled syncs (`synctray sync` still works): until `synctray resume`, or for a while'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "resume" -d 'Resume scheduled syncs'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "check" -d 'Check the configuration; exits 0 if it is valid, 2 if not'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "history" -d 'Show the last runs, newest first: start, result, trigger, duration, what failed'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "next" -d 'Show the next times the scheduler will run, in local time and UTC; exits 2 if the configuration is invalid'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "logs" -d 'Print the log of the last run, or of the run K runs back; exits 1 if there is none'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "add" -d 'Add a workspace to the list that the tray and --daemon serve (the current folder if no DIR); exits 2 if the folder holds no valid workspace'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "remove" -d 'Remove a workspace from the list, by its name or its folder (its files stay)'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "workspaces" -d 'List the workspaces of the list: name, folder, state, last run, next run'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "alerts" -d 'The alert channels of the configuration (`alerts`: ntfy, webhooks, a command)'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "completions" -d 'Print the completion script for SHELL (bash, zsh, fish, elvish, powershell)'
complete -c synctray -n "__fish_synctray_using_subcommand help; and not __fish_seen_subcommand_from sync export unexport status interval pause resume check history next logs add remove workspaces alerts completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c synctray -n "__fish_synctray_using_subcommand help; and __fish_seen_subcommand_from alerts" -f -a "test" -d 'Send a test message through every channel and say which worked; exits 1 if one failed (or there is none), 2 if the configuration is invalid'
