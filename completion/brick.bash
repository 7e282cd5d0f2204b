# bash completion for brick(8)                                -*- shell-script -*-
# generated from brick's option tables by tools/gendocs.py (./dev docs): do not edit
_brick_commands='create exec start run state kill delete list spec pause resume update ps events features inspect do logs pod graph profile help'
_brick_caps='CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE ALL'
_brick_signals='SIGTERM SIGKILL SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGSTOP SIGCONT SIGWINCH TERM KILL INT HUP QUIT USR1 USR2 STOP CONT WINCH 9 15'
declare -gA _brick_opts=(
    ['_']='--root --log --log-format --debug --systemd-cgroup --criu --rootless -v --version -h --help'
    ['create']='-b --bundle --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds --pidfd-socket -h --help'
    ['delete']='-f --force -h --help'
    ['do']='--name -d --detach --no-detach -t --tty --no-tty -i --interactive --no-interactive --rm --no-rm --keep --no-keep --rootfs -v --volume --tmpfs -e --env -w --workdir --hostname --cap-add --cap-drop --security-opt --read-only --no-read-only -m --memory --cpus --pids-limit --pod --print-spec --no-print-spec --home --host-secrets --no-host-secrets --no-init --learn --profile-file --bind-try --ro-bind-try --symlink --unsetenv -u --net --network --pid --ipc --uts --user --userns --cgroup --cgroupns --time -p --publish -h --help --init --x11 --x11= --no-x11 --wayland --no-wayland --gui --no-gui --audio --audio= --no-audio --gpu --gpu= --no-gpu --device --group-add --shm-size --die-with-parent --no-die-with-parent --allow-nested-ns --no-allow-nested-ns --profile'
    ['events']='--stats --interval -h --help'
    ['exec']='-p --process -t --tty --console-socket -d --detach --pid-file --cwd -e --env -u --user -g --additional-gids -c --cap --no-new-privs --apparmor --process-label --preserve-fds --ignore-paused --pidfd-socket -h --help'
    ['features']='-h --help'
    ['graph']='-f --format -a --all -h --help'
    ['inspect']='-f --format -p --probe -h --help'
    ['kill']='-a --all -h --help'
    ['list']='-f --format -q --quiet -h --help'
    ['logs']='-f --follow -n --tail -h --help'
    ['pause']='-h --help'
    ['pod']='-h --help'
    ['pod create']='--share-pid -h --help'
    ['pod ls']=''
    ['pod rm']='-f --force -h --help'
    ['profile']='-h --help'
    ['profile diff']=''
    ['profile merge']=''
    ['ps']='-f --format -h --help'
    ['resume']='-h --help'
    ['run']='-b --bundle --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds --pidfd-socket -h --help -d --detach --keep --no-subreaper --learn --profile-file'
    ['spec']='-b --bundle --rootless -h --help'
    ['start']='-h --help'
    ['state']='-h --help'
    ['update']='-r --resources --memory --memory-reservation --memory-swap --kernel-memory --kernel-memory-tcp --cpu-shares --cpu-quota --cpu-period --cpu-rt-runtime --cpu-rt-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --l3-cache-schema --mem-bw-schema -h --help'
)
declare -gA _brick_optargs=(
    ['_ --criu']='file'
    ['_ --log']='file'
    ['_ --log-format']='words:text,json'
    ['_ --root']='dir'
    ['_ --rootless']='words:auto,false'
    ['create --bundle']='dir'
    ['create --console-socket']='file'
    ['create --pid-file']='file'
    ['create --pidfd-socket']='file'
    ['create --preserve-fds']='none'
    ['create -b']='dir'
    ['do --audio']='words:devices,auto,none'
    ['do --bind-try']='file file'
    ['do --cap-add']='cap'
    ['do --cap-drop']='cap'
    ['do --cgroup']='words:new,host,container:,ns:'
    ['do --cgroupns']='words:new,host,container:,ns:'
    ['do --cpus']='none'
    ['do --device']='file'
    ['do --env']='none'
    ['do --gpu']='words:auto,none'
    ['do --group-add']='none'
    ['do --home']='words:host,host:ro,/'
    ['do --hostname']='none'
    ['do --ipc']='words:new,host,container:,ns:'
    ['do --learn']='file'
    ['do --memory']='none'
    ['do --name']='none'
    ['do --net']='words:new,host,user,user:allow_host_loopback=true,container:,ns:'
    ['do --network']='words:new,host,user,user:allow_host_loopback=true,container:,ns:'
    ['do --pid']='words:new,host,container:,ns:'
    ['do --pids-limit']='none'
    ['do --pod']='pod'
    ['do --profile']='profile'
    ['do --profile-file']='file'
    ['do --publish']='none'
    ['do --ro-bind-try']='file file'
    ['do --rootfs']='dir'
    ['do --security-opt']='words:seccomp=,seccomp=unconfined,no-new-privileges=false,apparmor=,apparmor=unconfined'
    ['do --shm-size']='none'
    ['do --symlink']='none none'
    ['do --time']='words:new,host,container:,ns:'
    ['do --tmpfs']='none'
    ['do --unsetenv']='none'
    ['do --user']='words:new,host,container:,ns:'
    ['do --userns']='words:new,host,container:,ns:'
    ['do --uts']='words:new,host,container:,ns:'
    ['do --volume']='file'
    ['do --workdir']='dir'
    ['do --x11']='words:untrusted,none'
    ['do -e']='none'
    ['do -m']='none'
    ['do -p']='none'
    ['do -u']='user'
    ['do -v']='file'
    ['do -w']='dir'
    ['events --interval']='none'
    ['exec --additional-gids']='none'
    ['exec --apparmor']='none'
    ['exec --cap']='cap'
    ['exec --console-socket']='file'
    ['exec --cwd']='none'
    ['exec --env']='none'
    ['exec --pid-file']='file'
    ['exec --pidfd-socket']='file'
    ['exec --preserve-fds']='none'
    ['exec --process']='file'
    ['exec --process-label']='none'
    ['exec --user']='none'
    ['exec -c']='cap'
    ['exec -e']='none'
    ['exec -g']='none'
    ['exec -p']='file'
    ['exec -u']='none'
    ['graph --format']='words:text,dot,svg'
    ['graph -f']='words:text,dot,svg'
    ['inspect --format']='words:text,json'
    ['inspect -f']='words:text,json'
    ['list --format']='words:table,json'
    ['list -f']='words:table,json'
    ['logs --tail']='words:all'
    ['logs -n']='words:all'
    ['ps --format']='words:table,json'
    ['ps -f']='words:table,json'
    ['run --bundle']='dir'
    ['run --console-socket']='file'
    ['run --learn']='file'
    ['run --pid-file']='file'
    ['run --pidfd-socket']='file'
    ['run --preserve-fds']='none'
    ['run --profile-file']='file'
    ['run -b']='dir'
    ['spec --bundle']='dir'
    ['spec -b']='dir'
    ['update --blkio-weight']='none'
    ['update --cpu-period']='none'
    ['update --cpu-quota']='none'
    ['update --cpu-rt-period']='none'
    ['update --cpu-rt-runtime']='none'
    ['update --cpu-shares']='none'
    ['update --cpuset-cpus']='none'
    ['update --cpuset-mems']='none'
    ['update --kernel-memory']='none'
    ['update --kernel-memory-tcp']='none'
    ['update --l3-cache-schema']='none'
    ['update --mem-bw-schema']='none'
    ['update --memory']='none'
    ['update --memory-reservation']='none'
    ['update --memory-swap']='none'
    ['update --pids-limit']='none'
    ['update --resources']='file'
    ['update -r']='file'
)
declare -gA _brick_args=(
    ['create']=''
    ['delete']='container'
    ['do']='command'
    ['events']='container'
    ['exec']='container'
    ['features']=''
    ['graph']=''
    ['help']='command-name'
    ['inspect']='container'
    ['kill']='container signal'
    ['list']=''
    ['logs']='container'
    ['pause']='container'
    ['pod']=''
    ['pod create']=''
    ['pod ls']=''
    ['pod rm']='pod'
    ['profile']=''
    ['profile diff']='file'
    ['profile merge']='file'
    ['ps']='container'
    ['resume']='container'
    ['run']=''
    ['spec']=''
    ['start']='container'
    ['state']='container'
    ['update']='container'
)
declare -gA _brick_subs=(
    ['pod']='create rm ls'
    ['profile']='merge diff'
)
declare -gA _brick_stop_at_arg=(
    ['do']='1'
)

# brick ARGS, with the --root of the command line
_brick_run()
{
    local i root=()
    for ((i = 1; i < ${#words[@]}; i++)); do
        case ${words[i]} in
        --root) root=(--root "${words[i + 1]}") ;;
        --root=*) root=(--root "${words[i]#--root=}") ;;
        esac
    done
    "${words[0]}" "${root[@]}" "$@" 2>/dev/null
}

_brick_words()
{
    local IFS=$'\n'
    COMPREPLY+=($(compgen -W "$*" -- "$cur"))
}

# complete one argument of kind $1
_brick_complete_kind()
{
    case $1 in
    command-name) _brick_words "${_brick_commands// /$'\n'}" ;;
    file) _filedir ;;
    dir) _filedir -d ;;
    container) _brick_words "$(_brick_run list -q)" ;;
    pod) _brick_words "$(_brick_run pod ls | awk 'NR > 1 { print $1 }')" ;;
    profile) _brick_words "$(_brick_run do --profile help | awk '/^  [^ ]/ { print $1 }')"$'\nhelp' ;;
    user) COMPREPLY+=($(compgen -u -- "$cur")) ;;
    cap) _brick_words "${_brick_caps// /$'\n'}" ;;
    signal) _brick_words "${_brick_signals// /$'\n'}" ;;
    words:*container:*)
        if [[ $cur == container:* ]]; then # --net container:NAME
            local n
            for n in $(_brick_run list -q); do
                [[ container:$n == "$cur"* ]] && COMPREPLY+=("container:$n")
            done
            __ltrim_colon_completions "$cur"
            return
        fi
        ;&
    words:*)
        local w=${1#words:}
        _brick_words "${w//,/$'\n'}"
        ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *[:=] ]] && compopt -o nospace ;;
    esac
}

_brick()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    # the command (and subcommand) word, and where the positional arguments are
    local i=1 key=_ cmd="" npos=0 w k n
    while ((i < cword)); do
        w=${words[i]}
        if [[ -z $cmd ]]; then
            if [[ $w == -* ]]; then
                k=(${_brick_optargs["_ $w"]})
                if ((i + ${#k[@]} >= cword)); then
                    _brick_complete_kind "${k[cword - i - 1]}"
                    return
                fi
                ((i += 1 + ${#k[@]}))
                continue
            fi
            cmd=$w key=$w
            ((i++))
            if [[ -n ${_brick_subs[$cmd]} ]] && ((i < cword)); then
                key="$cmd ${words[i]}"
                ((i++))
            fi
            continue
        fi
        if [[ $w == -* && $w != - ]] && ! ((npos && ${_brick_stop_at_arg[$key]:-0})); then
            [[ $w == -- ]] && { ((i++)); continue; }
            k=${_brick_optargs["$key $w"]}
            n=0
            [[ -n $k ]] && n=$(wc -w <<<"$k")
            if ((i + n >= cword)); then
                local kk=($k)
                _brick_complete_kind "${kk[cword - i - 1]}"
                return
            fi
            ((i += 1 + n))
            continue
        fi
        local pk=(${_brick_args[$key]})
        if ((${#pk[@]})); then
            local kind=${pk[npos < ${#pk[@]} ? npos : ${#pk[@]} - 1]}
            if [[ $kind == command ]]; then
                _command_offset $i
                return
            fi
        fi
        ((npos++, i++))
    done

    if [[ $split == true ]]; then
        k=${_brick_optargs["$key $prev"]}
        [[ -n $k ]] && _brick_complete_kind "${k%% *}"
        return
    fi
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _brick_words "${_brick_opts[_]// /$'\n'}"
        else
            _brick_words "${_brick_commands// /$'\n'}"
        fi
        return
    fi
    if [[ $key == "$cmd" && -n ${_brick_subs[$cmd]} ]]; then
        [[ $cur == -* ]] && _brick_words "--help"$'\n'"-h" || _brick_words "${_brick_subs[$cmd]// /$'\n'}"
        return
    fi
    if [[ $cur == -* ]] && ! ((npos && ${_brick_stop_at_arg[$key]:-0})); then
        _brick_words "${_brick_opts[$key]// /$'\n'}"
        ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
        return
    fi
    local pk=(${_brick_args[$key]})
    ((${#pk[@]})) || return
    local kind=${pk[npos < ${#pk[@]} ? npos : ${#pk[@]} - 1]}
    [[ $kind == command ]] && { COMPREPLY=($(compgen -c -- "$cur")); return; }
    _brick_complete_kind "$kind"
} &&
    complete -F _brick brick

# ex: filetype=sh
