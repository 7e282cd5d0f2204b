# fish completion for brick(8)
# generated from brick's option tables by tools/gendocs.py (./dev docs): do not edit
set -g __brick_commands 'create exec start run state kill delete list spec pause resume update ps events features inspect do logs pod graph profile help'
set -g __brick_caps 'CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE ALL'
set -g __brick_signals 'SIGTERM SIGKILL SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGSTOP SIGCONT SIGWINCH TERM KILL INT HUP QUIT USR1 USR2 STOP CONT WINCH 9 15'
set -g __brick_with_subs pod profile
set -g __brick_stop_at_arg do

function __brick_optarg
    switch "$argv[1] $argv[2]"
        case 'do --cap-add' 'do --cap-drop' 'exec --cap' 'exec -c'
            echo 'cap'
        case '_ --root' 'create --bundle' 'create -b' 'do --rootfs' 'do --workdir' 'do -w' 'run --bundle' 'run -b' 'spec --bundle' 'spec -b'
            echo 'dir'
        case '_ --criu' '_ --log' 'create --console-socket' 'create --pid-file' 'create --pidfd-socket' 'do --device' 'do --learn' 'do --profile-file' 'do --volume' 'do -v' 'exec --console-socket' 'exec --pid-file' 'exec --pidfd-socket' 'exec --process' 'exec -p' 'run --console-socket' 'run --learn' 'run --pid-file' 'run --pidfd-socket' 'run --profile-file' 'update --resources' 'update -r'
            echo 'file'
        case 'do --bind-try' 'do --ro-bind-try'
            echo 'file file'
        case 'create --preserve-fds' 'do --cpus' 'do --env' 'do --group-add' 'do --hostname' 'do --memory' 'do --name' 'do --pids-limit' 'do --publish' 'do --shm-size' 'do --tmpfs' 'do --unsetenv' 'do -e' 'do -m' 'do -p' 'events --interval' 'exec --additional-gids' 'exec --apparmor' 'exec --cwd' 'exec --env' 'exec --preserve-fds' 'exec --process-label' 'exec --user' 'exec -e' 'exec -g' 'exec -u' 'run --preserve-fds' 'update --blkio-weight' 'update --cpu-period' 'update --cpu-quota' 'update --cpu-rt-period' 'update --cpu-rt-runtime' 'update --cpu-shares' 'update --cpuset-cpus' 'update --cpuset-mems' 'update --kernel-memory' 'update --kernel-memory-tcp' 'update --l3-cache-schema' 'update --mem-bw-schema' 'update --memory' 'update --memory-reservation' 'update --memory-swap' 'update --pids-limit'
            echo 'none'
        case 'do --symlink'
            echo 'none none'
        case 'do --pod'
            echo 'pod'
        case 'do --profile'
            echo 'profile'
        case 'do -u'
            echo 'user'
        case 'logs --tail' 'logs -n'
            echo 'words:all'
        case '_ --rootless'
            echo 'words:auto,false'
        case 'do --home'
            echo 'words:host,host:ro,/'
        case 'do --cgroup' 'do --cgroupns' 'do --ipc' 'do --pid' 'do --time' 'do --user' 'do --userns' 'do --uts'
            echo 'words:new,host,container:,ns:'
        case 'do --net' 'do --network'
            echo 'words:new,host,user,user:allow_host_loopback=true,container:,ns:'
        case 'do --security-opt'
            echo 'words:seccomp=,seccomp=unconfined,no-new-privileges=false,apparmor=,apparmor=unconfined'
        case 'list --format' 'list -f' 'ps --format' 'ps -f'
            echo 'words:table,json'
        case 'graph --format' 'graph -f'
            echo 'words:text,dot,svg'
        case '_ --log-format' 'inspect --format' 'inspect -f'
            echo 'words:text,json'
    end
end

function __brick_args
    switch $argv[1]
        case 'delete'
            echo 'container'
        case 'do'
            echo 'command'
        case 'events'
            echo 'container'
        case 'exec'
            echo 'container'
        case 'help'
            echo 'command-name'
        case 'inspect'
            echo 'container'
        case 'kill'
            echo 'container signal'
        case 'logs'
            echo 'container'
        case 'pause'
            echo 'container'
        case 'pod rm'
            echo 'pod'
        case 'profile diff'
            echo 'file'
        case 'profile merge'
            echo 'file'
        case 'ps'
            echo 'container'
        case 'resume'
            echo 'container'
        case 'start'
            echo 'container'
        case 'state'
            echo 'container'
        case 'update'
            echo 'container'
    end
end

# the words of the command line before the cursor: "key" (command or
# "command subcommand"), then the state: "opt KIND" (the word is an option's
# argument), "pos N" (the Nth positional argument) or "command N" (a command
# to run, from word N on)
function __brick_state
    set -l toks (commandline -opc)
    set -l key ''
    set -l cmd ''
    set -l npos 0
    set -l i 2
    while test $i -le (count $toks)
        set -l w $toks[$i]
        if test -z "$cmd"
            if string match -q -- '-*' $w
                set -l k (string split -n ' ' -- (__brick_optarg _ $w))
                if test (math $i + (count $k)) -gt (count $toks)
                    echo ''
                    echo opt $k[(math (count $toks) - $i + 1)]
                    return
                end
                set i (math $i + 1 + (count $k))
                continue
            end
            set cmd $w
            set key $w
            set i (math $i + 1)
            if contains -- $cmd $__brick_with_subs; and test $i -le (count $toks)
                set key "$cmd $toks[$i]"
                set i (math $i + 1)
            end
            continue
        end
        if string match -q -- '-?*' $w; and not begin; test $npos -gt 0; and contains -- $key $__brick_stop_at_arg; end
            if test "$w" = --
                set i (math $i + 1)
                continue
            end
            set -l k (string split -n ' ' -- (__brick_optarg $key $w))
            if test (math $i + (count $k)) -gt (count $toks)
                echo $key
                echo opt $k[(math (count $toks) - $i + 1)]
                return
            end
            set i (math $i + 1 + (count $k))
            continue
        end
        set -l pk (string split -n ' ' -- (__brick_args $key))
        if test (count $pk) -gt 0
            set -l kind $pk[(math min $npos + 1, (count $pk))]
            if test "$kind" = command
                echo $key
                echo command $i
                return
            end
        end
        set npos (math $npos + 1)
        set i (math $i + 1)
    end
    echo $key
    echo pos $npos
end

function __brick_run
    set -l toks (commandline -opc)
    set -l root
    set -l i (contains -i -- --root $toks)
    and set root --root $toks[(math $i + 1)]
    $toks[1] $root $argv 2>/dev/null
end

function __brick_kind
    switch $argv[1]
        case file
            __fish_complete_path (commandline -ct)
        case dir
            __fish_complete_directories (commandline -ct)
        case container
            __brick_run list -q
        case pod
            __brick_run pod ls | awk 'NR > 1 { print $1 }'
        case profile
            echo help
            __brick_run do --profile help | awk '/^  [^ ]/ { print $1 }'
        case user
            __fish_complete_users
        case cap
            string split ' ' -- $__brick_caps
        case signal
            string split ' ' -- $__brick_signals
        case command-name
            string split ' ' -- $__brick_commands
        case 'words:*'
            set -l t (commandline -ct | string replace -r -- '^--[^=]*=' '')
            if string match -q -- '*container:*' $argv[1]; and string match -q -- 'container:*' $t
                for n in (__brick_run list -q) # --net container:NAME
                    echo container:$n
                end
                return
            end
            string split , -- (string replace words: '' -- $argv[1])
    end
end

# the state is "opt KIND": complete that argument
function __brick_want_arg
    set -l s (__brick_state)
    test "$s[2]" != "" -a (string split ' ' -- $s[2])[1] = opt
end

function __brick_complete_arg
    set -l s (__brick_state)
    __brick_kind (string split ' ' -- $s[2])[2]
end

# a positional argument (not an option's, not a subcommand)
function __brick_want_pos
    string match -q -- '-*' (commandline -ct); and return 1
    set -l s (__brick_state)
    set -l st (string split ' ' -- $s[2])
    test -n "$s[1]" -a "$st[1]" = pos
    or return 1
    contains -- $s[1] $__brick_with_subs; and return 1
    return 0
end

function __brick_complete_pos
    set -l s (__brick_state)
    set -l st (string split ' ' -- $s[2])
    set -l pk (string split -n ' ' -- (__brick_args $s[1]))
    test (count $pk) -gt 0; or return
    set -l kind $pk[(math min $st[2] + 1, (count $pk))]
    if test "$kind" = command
        __fish_complete_command (commandline -ct)
    else
        __brick_kind $kind
    end
end

function __brick_want_command
    set -l s (__brick_state)
    test (string split ' ' -- $s[2])[1] = command
end

function __brick_complete_command
    set -l s (__brick_state)
    set -l i (string split ' ' -- $s[2])[2]
    set -l toks (commandline -opc)
    complete -C (string join ' ' -- (string escape -- $toks[$i..-1]) (commandline -ct))
end

# options of KEY (the command, or "command subcommand") are offered
function __brick_key_is
    set -l s (__brick_state)
    test "$s[1]" = "$argv[1]"; or return 1
    set -l st (string split ' ' -- $s[2])
    test "$st[1]" = pos; or return 1
    contains -- $s[1] $__brick_stop_at_arg; and test $st[2] -gt 0; and return 1
    return 0
end

function __brick_sub_of
    set -l s (__brick_state)
    test "$s[1]" = "$argv[1]"
end

complete -c brick -f
complete -c brick -n '__brick_want_arg' -f -a '(__brick_complete_arg)'
complete -c brick -n '__brick_want_command' -f -a '(__brick_complete_command)'
complete -c brick -n '__brick_want_pos' -f -a '(__brick_complete_pos)'

# commands and subcommands
complete -c brick -n '__brick_key_is ""' -a create -d 'create a container (it waits before running its process)'
complete -c brick -n '__brick_key_is ""' -a exec -d 'run a process in a running container'
complete -c brick -n '__brick_key_is ""' -a start -d 'start a created container'
complete -c brick -n '__brick_key_is ""' -a run -d 'create and start a container'
complete -c brick -n '__brick_key_is ""' -a state -d 'print the state of a container as OCI state JSON'
complete -c brick -n '__brick_key_is ""' -a kill -d 'send a signal to a container\'s init'
complete -c brick -n '__brick_key_is ""' -a delete -d 'delete a container and its state'
complete -c brick -n '__brick_key_is ""' -a list -d 'list containers'
complete -c brick -n '__brick_key_is ""' -a spec -d 'write a default config.json'
complete -c brick -n '__brick_key_is ""' -a pause -d 'suspend every process of a container'
complete -c brick -n '__brick_key_is ""' -a resume -d 'resume a paused container'
complete -c brick -n '__brick_key_is ""' -a update -d 'update the resource limits of a container'
complete -c brick -n '__brick_key_is ""' -a ps -d 'list the processes of a container'
complete -c brick -n '__brick_key_is ""' -a events -d 'show a container\'s resource usage and OOM events'
complete -c brick -n '__brick_key_is ""' -a features -d 'show the features brick supports (JSON)'
complete -c brick -n '__brick_key_is ""' -a inspect -d 'report how a running container is confined'
complete -c brick -n '__brick_key_is ""' -a do -d 'run a command in a container built from flags (no bundle)'
complete -c brick -n '__brick_key_is ""' -a logs -d 'print the output of a container started with \'brick do -d\''
complete -c brick -n '__brick_key_is ""' -a pod -d 'groups of containers sharing net, ipc and uts (and pid)'
complete -c brick -n '__brick_sub_of pod' -a create -d 'start a pod\'s infra container'
complete -c brick -n '__brick_sub_of pod' -a rm -d 'delete a pod'
complete -c brick -n '__brick_sub_of pod' -a ls -d 'list pods'
complete -c brick -n '__brick_key_is ""' -a graph -d 'show which containers share which namespaces'
complete -c brick -n '__brick_key_is ""' -a profile -d 'merge and compare seccomp profiles learned with \'brick do --learn\''
complete -c brick -n '__brick_sub_of profile' -a merge -d 'the union of seccomp profiles'
complete -c brick -n '__brick_sub_of profile' -a diff -d 'the syscalls only one of two profiles allows'
complete -c brick -n '__brick_key_is ""' -a help -d 'show help for a command'
# options
complete -c brick -n '__brick_key_is \'\'' -l root -x -a '(__brick_kind dir)' -d 'state directory (default /run/brick; unprivileged:...'
complete -c brick -n '__brick_key_is \'\'' -l log -r -F -d 'also append errors and warnings to FILE'
complete -c brick -n '__brick_key_is \'\'' -l log-format -x -a '(__brick_kind words:text,json)' -d 'text (default) or json'
complete -c brick -n '__brick_key_is \'\'' -l debug -d 'log debug messages too (to --log when given)'
complete -c brick -n '__brick_key_is \'\'' -l systemd-cgroup -d 'read linux.cgroupsPath as runc\'s systemd form SLICE:PREFIX:NAME (man...'
complete -c brick -n '__brick_key_is \'\'' -l criu -r -F -d 'refused'
complete -c brick -n '__brick_key_is \'\'' -l rootless -x -a '(__brick_kind words:auto,false)' -d 'accepted for runc compatibility'
complete -c brick -n '__brick_key_is \'\'' -s v -l version -d 'print the version in runc\'s format (brick version, commit:, spec: and...'
complete -c brick -n '__brick_key_is \'\'' -s h -l help -d 'show the commands and global options'
complete -c brick -n '__brick_key_is \'create\'' -s b -l bundle -x -a '(__brick_kind dir)' -d 'bundle directory holding config.json (default: .)'
complete -c brick -n '__brick_key_is \'create\'' -l pid-file -r -F -d 'write the container\'s init pid to FILE'
complete -c brick -n '__brick_key_is \'create\'' -l console-socket -r -F -d 'send the pty master to the unix socket SOCKET (process.terminal)'
complete -c brick -n '__brick_key_is \'create\'' -l no-pivot -d 'use MS_MOVE + chroot instead of pivot_root'
complete -c brick -n '__brick_key_is \'create\'' -l no-new-keyring -d 'keep the caller\'s session keyring'
complete -c brick -n '__brick_key_is \'create\'' -l preserve-fds -x -a '(__brick_kind none)' -d 'pass N extra fds (3, 4, ...) to the container'
complete -c brick -n '__brick_key_is \'create\'' -l pidfd-socket -r -F -d 'send a pidfd of the container\'s init to the unix socket SOCKET'
complete -c brick -n '__brick_key_is \'create\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'exec\'' -s p -l process -r -F -d 'the process as an OCI process JSON object'
complete -c brick -n '__brick_key_is \'exec\'' -s t -l tty -d 'allocate a terminal'
complete -c brick -n '__brick_key_is \'exec\'' -l console-socket -r -F -d 'send the pty master to the unix socket SOCKET'
complete -c brick -n '__brick_key_is \'exec\'' -s d -l detach -d 'do not wait for the process'
complete -c brick -n '__brick_key_is \'exec\'' -l pid-file -r -F -d 'write the process\'s pid to FILE'
complete -c brick -n '__brick_key_is \'exec\'' -l cwd -x -a '(__brick_kind none)' -d 'working directory inside the container'
complete -c brick -n '__brick_key_is \'exec\'' -s e -l env -x -a '(__brick_kind none)' -d 'set an environment variable (repeatable)'
complete -c brick -n '__brick_key_is \'exec\'' -s u -l user -x -a '(__brick_kind none)' -d 'run as UID and GID'
complete -c brick -n '__brick_key_is \'exec\'' -s g -l additional-gids -x -a '(__brick_kind none)' -d 'add a supplementary group (repeatable)'
complete -c brick -n '__brick_key_is \'exec\'' -s c -l cap -x -a '(__brick_kind cap)' -d 'add a capability to the bounding, effective, permitted (and, with an...'
complete -c brick -n '__brick_key_is \'exec\'' -l no-new-privs -d 'set no_new_privs'
complete -c brick -n '__brick_key_is \'exec\'' -l apparmor -x -a '(__brick_kind none)' -d 'AppArmor profile'
complete -c brick -n '__brick_key_is \'exec\'' -l process-label -x -a '(__brick_kind none)' -d 'SELinux label'
complete -c brick -n '__brick_key_is \'exec\'' -l preserve-fds -x -a '(__brick_kind none)' -d 'pass N extra fds (3, 4, ...)'
complete -c brick -n '__brick_key_is \'exec\'' -l ignore-paused -d 'exec even if the container is paused'
complete -c brick -n '__brick_key_is \'exec\'' -l pidfd-socket -r -F -d 'send a pidfd of the process to the unix socket SOCKET'
complete -c brick -n '__brick_key_is \'exec\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'start\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'run\'' -s b -l bundle -x -a '(__brick_kind dir)' -d 'bundle directory holding config.json (default: .)'
complete -c brick -n '__brick_key_is \'run\'' -l pid-file -r -F -d 'write the container\'s init pid to FILE'
complete -c brick -n '__brick_key_is \'run\'' -l console-socket -r -F -d 'send the pty master to the unix socket SOCKET (process.terminal)'
complete -c brick -n '__brick_key_is \'run\'' -l no-pivot -d 'use MS_MOVE + chroot instead of pivot_root'
complete -c brick -n '__brick_key_is \'run\'' -l no-new-keyring -d 'keep the caller\'s session keyring'
complete -c brick -n '__brick_key_is \'run\'' -l preserve-fds -x -a '(__brick_kind none)' -d 'pass N extra fds (3, 4, ...) to the container'
complete -c brick -n '__brick_key_is \'run\'' -l pidfd-socket -r -F -d 'send a pidfd of the container\'s init to the unix socket SOCKET'
complete -c brick -n '__brick_key_is \'run\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'run\'' -s d -l detach -d 'do not wait for the container'
complete -c brick -n '__brick_key_is \'run\'' -l keep -d 'do not delete the container after it exits'
complete -c brick -n '__brick_key_is \'run\'' -l no-subreaper -d 'accepted for runc compatibility (brick uses none)'
complete -c brick -n '__brick_key_is \'run\'' -l learn -r -F -d 'run under the bundle\'s linux.seccomp (which must exist) while a...'
complete -c brick -n '__brick_key_is \'run\'' -l profile-file -r -F -d 'run with FILE as linux.seccomp instead of the bundle\'s'
complete -c brick -n '__brick_key_is \'state\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'kill\'' -s a -l all -d 'signal every process of the container'
complete -c brick -n '__brick_key_is \'kill\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'delete\'' -s f -l force -d 'kill a running container first'
complete -c brick -n '__brick_key_is \'delete\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'list\'' -s f -l format -x -a '(__brick_kind words:table,json)' -d 'output format (default table)'
complete -c brick -n '__brick_key_is \'list\'' -s q -l quiet -d 'print container ids only'
complete -c brick -n '__brick_key_is \'list\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'spec\'' -s b -l bundle -x -a '(__brick_kind dir)' -d 'directory to write into (default: .)'
complete -c brick -n '__brick_key_is \'spec\'' -l rootless -d 'a config for a rootless container (user namespace)'
complete -c brick -n '__brick_key_is \'spec\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'pause\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'resume\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'update\'' -s r -l resources -r -F -d 'LinuxResources JSON ("-": stdin)'
complete -c brick -n '__brick_key_is \'update\'' -l memory -x -a '(__brick_kind none)' -d 'memory limit (k/m/g suffixes, -1 unlimited)'
complete -c brick -n '__brick_key_is \'update\'' -l memory-reservation -x -a '(__brick_kind none)' -d 'soft limit'
complete -c brick -n '__brick_key_is \'update\'' -l memory-swap -x -a '(__brick_kind none)' -d 'memory+swap limit'
complete -c brick -n '__brick_key_is \'update\'' -l kernel-memory -x -a '(__brick_kind none)' -d 'kernel memory limit (v1)'
complete -c brick -n '__brick_key_is \'update\'' -l kernel-memory-tcp -x -a '(__brick_kind none)' -d 'kernel TCP buffer limit (v1)'
complete -c brick -n '__brick_key_is \'update\'' -l cpu-shares -x -a '(__brick_kind none)' -d 'relative CPU weight'
complete -c brick -n '__brick_key_is \'update\'' -l cpu-quota -x -a '(__brick_kind none)' -d 'CFS quota (us per period, -1 unlimited)'
complete -c brick -n '__brick_key_is \'update\'' -l cpu-period -x -a '(__brick_kind none)' -d 'CFS period (us)'
complete -c brick -n '__brick_key_is \'update\'' -l cpu-rt-runtime -x -a '(__brick_kind none)' -d 'realtime runtime (us, v1)'
complete -c brick -n '__brick_key_is \'update\'' -l cpu-rt-period -x -a '(__brick_kind none)' -d 'realtime period (us, v1)'
complete -c brick -n '__brick_key_is \'update\'' -l cpuset-cpus -x -a '(__brick_kind none)' -d 'CPUs allowed (0-3,5)'
complete -c brick -n '__brick_key_is \'update\'' -l cpuset-mems -x -a '(__brick_kind none)' -d 'memory nodes allowed'
complete -c brick -n '__brick_key_is \'update\'' -l pids-limit -x -a '(__brick_kind none)' -d 'maximum number of tasks (<= 0 unlimited)'
complete -c brick -n '__brick_key_is \'update\'' -l blkio-weight -x -a '(__brick_kind none)' -d 'block IO weight (10-1000)'
complete -c brick -n '__brick_key_is \'update\'' -l l3-cache-schema -x -a '(__brick_kind none)' -d 'refused'
complete -c brick -n '__brick_key_is \'update\'' -l mem-bw-schema -x -a '(__brick_kind none)' -d 'refused'
complete -c brick -n '__brick_key_is \'update\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'ps\'' -s f -l format -x -a '(__brick_kind words:table,json)' -d 'table (default)'
complete -c brick -n '__brick_key_is \'ps\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'events\'' -l stats -d 'print the statistics once and exit'
complete -c brick -n '__brick_key_is \'events\'' -l interval -x -a '(__brick_kind none)' -d 'time between stats records (default 5s)'
complete -c brick -n '__brick_key_is \'events\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'features\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'inspect\'' -s f -l format -x -a '(__brick_kind words:text,json)' -d 'output format (default text)'
complete -c brick -n '__brick_key_is \'inspect\'' -s p -l probe -d 'copy the process\'s seccomp filters (ptrace) and try a list of...'
complete -c brick -n '__brick_key_is \'inspect\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'do\'' -l name -x -a '(__brick_kind none)' -d 'container id (default: do-<pid>)'
complete -c brick -n '__brick_key_is \'do\'' -s d -l detach -d 'do not wait for CMD'
complete -c brick -n '__brick_key_is \'do\'' -l no-detach -d 'undo --detach'
complete -c brick -n '__brick_key_is \'do\'' -s t -l tty -d 'allocate a terminal (not with -d)'
complete -c brick -n '__brick_key_is \'do\'' -l no-tty -d 'undo --tty'
complete -c brick -n '__brick_key_is \'do\'' -s i -l interactive -d 'keep stdin open (always true in the foreground; not with -d)'
complete -c brick -n '__brick_key_is \'do\'' -l no-interactive -d 'undo --interactive'
complete -c brick -n '__brick_key_is \'do\'' -l rm -d 'remove the container when it exits (also with -d)'
complete -c brick -n '__brick_key_is \'do\'' -l no-rm -d 'undo --rm'
complete -c brick -n '__brick_key_is \'do\'' -l keep -d 'keep the stopped container after a foreground run'
complete -c brick -n '__brick_key_is \'do\'' -l no-keep -d 'undo --keep'
complete -c brick -n '__brick_key_is \'do\'' -l rootfs -x -a '(__brick_kind dir)' -d 'use DIR as the root instead of the host\'s'
complete -c brick -n '__brick_key_is \'do\'' -s v -l volume -r -F -d 'bind mount SRC at DST'
complete -c brick -n '__brick_key_is \'do\'' -l tmpfs -x -a '(__brick_kind none)' -d 'mount a tmpfs at DST (made as for -v when missing)'
complete -c brick -n '__brick_key_is \'do\'' -s e -l env -x -a '(__brick_kind none)' -d 'set an environment variable (KEY alone: the caller\'s value)'
complete -c brick -n '__brick_key_is \'do\'' -s w -l workdir -x -a '(__brick_kind dir)' -d 'working directory (default /)'
complete -c brick -n '__brick_key_is \'do\'' -l hostname -x -a '(__brick_kind none)' -d 'hostname (default: the container name)'
complete -c brick -n '__brick_key_is \'do\'' -l cap-add -x -a '(__brick_kind cap)' -d 'add a capability (ALL: every one)'
complete -c brick -n '__brick_key_is \'do\'' -l cap-drop -x -a '(__brick_kind cap)' -d 'drop a capability (ALL: every one)'
complete -c brick -n '__brick_key_is \'do\'' -l security-opt -x -a '(__brick_kind words:seccomp=,seccomp=unconfined,no-new-privileges=false,apparmor=,apparmor=unconfined)' -d 'seccomp=FILE|unconfined, no-new-privileges=true|false or...'
complete -c brick -n '__brick_key_is \'do\'' -l read-only -d 'read-only root (always so, recursively, for the host\'s root)'
complete -c brick -n '__brick_key_is \'do\'' -l no-read-only -d 'undo --read-only'
complete -c brick -n '__brick_key_is \'do\'' -s m -l memory -x -a '(__brick_kind none)' -d 'memory limit (512m, 1g)'
complete -c brick -n '__brick_key_is \'do\'' -l cpus -x -a '(__brick_kind none)' -d 'CPU quota (0.5, 2)'
complete -c brick -n '__brick_key_is \'do\'' -l pids-limit -x -a '(__brick_kind none)' -d 'maximum number of processes (-1: none)'
complete -c brick -n '__brick_key_is \'do\'' -l pod -x -a '(__brick_kind pod)' -d 'join pod NAME (its net, ipc, uts and maybe pid)'
complete -c brick -n '__brick_key_is \'do\'' -l print-spec -d 'print the config.json and exit'
complete -c brick -n '__brick_key_is \'do\'' -l no-print-spec -d 'undo --print-spec'
complete -c brick -n '__brick_key_is \'do\'' -l home -x -a '(__brick_kind words:host,host:ro,/)' -d 'the home'
complete -c brick -n '__brick_key_is \'do\'' -l host-secrets -d 'show the host\'s homes, /root and secret files (hidden by default)'
complete -c brick -n '__brick_key_is \'do\'' -l no-host-secrets -d 'undo --host-secrets'
complete -c brick -n '__brick_key_is \'do\'' -l no-init -d 'run CMD itself as pid 1 (default: brick\'s init stays pid 1, forwards...'
complete -c brick -n '__brick_key_is \'do\'' -l learn -r -F -d 'run CMD under the default seccomp profile while a supervisor on the...'
complete -c brick -n '__brick_key_is \'do\'' -l profile-file -r -F -d 'run CMD under the learned profile FILE'
complete -c brick -n '__brick_key_is \'do\'' -l bind-try -r -F -d 'bind mount SRC at DST, left out when SRC is missing (as bwrap\'s)'
complete -c brick -n '__brick_key_is \'do\'' -l ro-bind-try -r -F -d 'the same, read-only'
complete -c brick -n '__brick_key_is \'do\'' -l symlink -x -a '(__brick_kind none)' -d 'make DST a symlink to TARGET (an existing one with that target is fine)'
complete -c brick -n '__brick_key_is \'do\'' -l unsetenv -x -a '(__brick_kind none)' -d 'remove a variable'
complete -c brick -n '__brick_key_is \'do\'' -s u -x -a '(__brick_kind user)' -d 'run as this user'
complete -c brick -n '__brick_key_is \'do\'' -l net -l network -x -a '(__brick_kind words:new,host,user,user:allow_host_loopback=true,container:,ns:)' -d 'network namespace'
complete -c brick -n '__brick_key_is \'do\'' -l pid -x -a '(__brick_kind words:new,host,container:,ns:)' -d 'pid namespace'
complete -c brick -n '__brick_key_is \'do\'' -l ipc -x -a '(__brick_kind words:new,host,container:,ns:)' -d 'ipc namespace'
complete -c brick -n '__brick_key_is \'do\'' -l uts -x -a '(__brick_kind words:new,host,container:,ns:)' -d 'uts namespace'
complete -c brick -n '__brick_key_is \'do\'' -l user -l userns -x -a '(__brick_kind words:new,host,container:,ns:)' -d 'user namespace (default: host; new when not root: docs/ROOTLESS.md)'
complete -c brick -n '__brick_key_is \'do\'' -l cgroup -l cgroupns -x -a '(__brick_kind words:new,host,container:,ns:)' -d 'cgroup namespace'
complete -c brick -n '__brick_key_is \'do\'' -l time -x -a '(__brick_kind words:new,host,container:,ns:)' -d 'time namespace (default: host)'
complete -c brick -n '__brick_key_is \'do\'' -s p -l publish -x -a '(__brick_kind none)' -d 'forward HOSTPORT on the host to PORT in the container (repeatable;...'
complete -c brick -n '__brick_key_is \'do\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'do\'' -l init -d 'undo --no-init (the default: brick\'s init is pid 1)'
complete -c brick -n '__brick_key_is \'do\'' -l x11 -f -a '(__brick_kind words:untrusted,none)' -d 'this X display only'
complete -c brick -n '__brick_key_is \'do\'' -l no-x11 -d 'undo --x11'
complete -c brick -n '__brick_key_is \'do\'' -l wayland -d 'the Wayland compositor\'s socket, in a private XDG_RUNTIME_DIR'
complete -c brick -n '__brick_key_is \'do\'' -l no-wayland -d 'undo --wayland'
complete -c brick -n '__brick_key_is \'do\'' -l gui -d '--wayland when a compositor runs, else --x11'
complete -c brick -n '__brick_key_is \'do\'' -l no-gui -d 'undo --gui'
complete -c brick -n '__brick_key_is \'do\'' -l audio -f -a '(__brick_kind words:devices,auto,none)' -d 'the PulseAudio/PipeWire socket (shm off)'
complete -c brick -n '__brick_key_is \'do\'' -l no-audio -d 'undo --audio'
complete -c brick -n '__brick_key_is \'do\'' -l gpu -f -a '(__brick_kind words:auto,none)' -d '/dev/dri render nodes (+ NVIDIA nodes and libraries)'
complete -c brick -n '__brick_key_is \'do\'' -l no-gpu -d 'undo --gpu'
complete -c brick -n '__brick_key_is \'do\'' -l device -r -F -d 'a device node (or a directory of them)'
complete -c brick -n '__brick_key_is \'do\'' -l group-add -x -a '(__brick_kind none)' -d 'an additional group'
complete -c brick -n '__brick_key_is \'do\'' -l shm-size -x -a '(__brick_kind none)' -d 'size of the private /dev/shm (default 64m)'
complete -c brick -n '__brick_key_is \'do\'' -l die-with-parent -d 'kill the container when this \'brick do\' dies'
complete -c brick -n '__brick_key_is \'do\'' -l no-die-with-parent -d 'undo --die-with-parent'
complete -c brick -n '__brick_key_is \'do\'' -l allow-nested-ns -d 'let the app create namespaces (browser sandboxes)'
complete -c brick -n '__brick_key_is \'do\'' -l no-allow-nested-ns -d 'undo --allow-nested-ns'
complete -c brick -n '__brick_key_is \'do\'' -l profile -x -a '(__brick_kind profile)' -d 'a preset of flags, shipped or the user\'s (\'--profile help\' lists them)'
complete -c brick -n '__brick_key_is \'logs\'' -s f -l follow -d 'go on printing new output until the container\'s output is closed (it...'
complete -c brick -n '__brick_key_is \'logs\'' -s n -l tail -x -a '(__brick_kind words:all)' -d 'only the last N lines (a number, or all: the default)'
complete -c brick -n '__brick_key_is \'logs\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'pod\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'pod create\'' -l share-pid -d 'the members share a pid namespace too'
complete -c brick -n '__brick_key_is \'pod create\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'pod rm\'' -s f -l force -d 'kill running members and remove the pod'
complete -c brick -n '__brick_key_is \'pod rm\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'graph\'' -s f -l format -x -a '(__brick_kind words:text,dot,svg)' -d 'text (default)'
complete -c brick -n '__brick_key_is \'graph\'' -s a -l all -d 'every namespace, also those nobody shares'
complete -c brick -n '__brick_key_is \'graph\'' -s h -l help -d 'show this help'
complete -c brick -n '__brick_key_is \'profile\'' -s h -l help -d 'show this help'
