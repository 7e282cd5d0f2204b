#!/usr/bin/env python3
"""gendocs.py — the man pages' OPTIONS sections and the shell completions,
from the option tables the parser uses (core/opts.h: `brick help --dump-options`).

    tools/gendocs.py [--brick build/brick]           rewrite man/*.8 and completion/*
    tools/gendocs.py [--brick build/brick] --check   exit 1 (and show a diff) when they differ

Generated: the OPTIONS section of man/brick-CMD.8 (GLOBAL OPTIONS of man/brick.8)
and completion/brick.bash, completion/_brick (zsh), completion/brick.fish. The rest
of the man pages (NAME, DESCRIPTION, EXAMPLES, ...) is hand-written and kept as is.
Change an option's text in its table in src/, then run ./dev docs.
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = '.\\" generated from the option tables in src/ by tools/gendocs.py (./dev docs): edit those'
SIGNALS = ("SIGTERM SIGKILL SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGSTOP SIGCONT SIGWINCH "
           "TERM KILL INT HUP QUIT USR1 USR2 STOP CONT WINCH 9 15").split()


def load(brick):
    dump = json.loads(subprocess.run([brick, "help", "--dump-options"], check=True,
                                     stdout=subprocess.PIPE).stdout)
    feats = json.loads(subprocess.run([brick, "features"], check=True, stdout=subprocess.PIPE).stdout)
    dump["capabilities"] = feats["linux"]["capabilities"]
    return dump


# ---------------------------------------------------------------- man pages

def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def man_options(options, heading_macro=".SS"):
    out = []
    for o in options:
        if "heading" in o:
            out.append(f'{heading_macro} "{roff(o["heading"].rstrip(":"))}"')
            continue
        out += [".TP", f'.B "{roff(o["label"])}"', roff(o["help"] if o["help"].endswith(".") else o["help"] + ".")]
    return out


def man_section(title, cmd):
    lines = [f".SH {title}", MARK]
    lines += man_options(cmd["options"])
    for sub in cmd.get("subcommands", []):
        if sub["options"] and any("label" in o and o["long"] != ["help"] for o in sub["options"]):
            lines.append(f'.SS "{roff(cmd["name"] + " " + sub["name"])}"')
            lines += man_options(sub["options"], heading_macro=".TP")
    return "\n".join(lines) + "\n"


def replace_section(text, title, section, path):
    """Replace .SH TITLE up to the next .SH; without one, insert it before
    EXAMPLES, SEE ALSO or at the end."""
    m = re.search(rf"^\.SH {re.escape(title)}\n.*?(?=^\.SH )", text, re.M | re.S)
    if not m:
        m2 = re.search(r"^\.SH (EXAMPLES|SEE ALSO|ENVIRONMENT|FILES|EXIT STATUS)\n", text, re.M)
        if not m2:
            return text.rstrip("\n") + "\n" + section
        return text[:m2.start()] + section + text[m2.start():]
    return text[:m.start()] + section + text[m.end():]


def man_pages(dump, top):
    pages = {}
    path = os.path.join(top, "man", "brick.8")
    pages[path] = replace_section(open(path).read(), "GLOBAL OPTIONS",
                                  man_section("GLOBAL OPTIONS", dump["global"]), path)
    for cmd in dump["commands"]:
        path = os.path.join(top, "man", f"brick-{cmd['name']}.8")
        pages[path] = replace_section(open(path).read(), "OPTIONS", man_section("OPTIONS", cmd), path)
    return pages


# ---------------------------------------------------------------- the data the completions share

def flags_of(o):
    names = ([f"-{o['short']}"] if o["short"] else []) + [f"--{n}" for n in o["long"]]
    if o["negatable"]:
        names.append(f"--no-{o['long'][0]}")
    return names


def nargs(o):
    return 0 if o["arg"] is None or o["arg_optional"] else len(o["arg"].split())


def kinds(o):
    """The completion kind of each argument word of option o."""
    return [o["complete"] or "none"] * nargs(o)


def tables(dump):
    """{key: [options]} with key "_" (globals), "CMD" or "CMD SUB"."""
    t = {"_": dump["global"]["options"]}
    for c in dump["commands"]:
        t[c["name"]] = c["options"]
        for s in c.get("subcommands", []):
            t[f"{c['name']} {s['name']}"] = s["options"]
    return t


def positional(dump):
    args = {}
    for c in dump["commands"]:
        args[c["name"]] = c["args"] or ""
        for s in c.get("subcommands", []):
            args[f"{c['name']} {s['name']}"] = s["args"] or ""
    return args


def short_help(text):
    """The help's first clause, for the one line a shell shows."""
    depth, cut = 0, text
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in ".;:" and text[i + 1:i + 2] == " ":
            cut = text[:i]
            break
    return cut if len(cut) <= 72 else cut[:71].rsplit(" ", 1)[0] + "..."


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


HEADER = "# generated from brick's option tables by tools/gendocs.py (./dev docs): do not edit\n"


# ---------------------------------------------------------------- bash

BASH_LOGIC = r'''
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
'''


def bash(dump):
    t = tables(dump)
    opts, optargs = {}, {}
    for key, options in t.items():
        words = []
        for o in options:
            if "heading" in o:
                continue
            for f in flags_of(o):
                words.append(f)
                if o["arg_optional"] and f.startswith("--") and not f.startswith("--no-"):
                    words.append(f + "=")
                    optargs[f"{key} {f}"] = (o["complete"] or "none").replace(" ", ",")
                if nargs(o) and not f.startswith("--no-"):
                    optargs[f"{key} {f}"] = " ".join(k.replace(" ", ",") for k in kinds(o))
        opts[key] = " ".join(words)
    subs = {c["name"]: " ".join(s["name"] for s in c["subcommands"]) for c in dump["commands"] if c["subcommands"]}
    stop = {c["name"]: 1 for c in dump["commands"] if c["args"] and "command" in c["args"].split()}
    out = ["# bash completion for brick(8)                                -*- shell-script -*-", HEADER.rstrip()]
    out.append("_brick_commands=" + sh_quote(" ".join([c["name"] for c in dump["commands"]] + ["help"])))
    out.append("_brick_caps=" + sh_quote(" ".join(dump["capabilities"] + ["ALL"])))
    out.append("_brick_signals=" + sh_quote(" ".join(SIGNALS)))

    def assoc(name, d):
        out.append(f"declare -gA {name}=(")
        out.extend(f"    [{sh_quote(k)}]={sh_quote(v)}" for k, v in sorted(d.items()))
        out.append(")")
    assoc("_brick_opts", opts)
    assoc("_brick_optargs", optargs)
    assoc("_brick_args", dict(positional(dump), help="command-name"))
    assoc("_brick_subs", subs)
    assoc("_brick_stop_at_arg", {k: str(v) for k, v in stop.items()})
    text = "\n".join(out) + "\n" + BASH_LOGIC.replace(
        "    case $1 in\n", "    case $1 in\n    command-name) _brick_words \"${_brick_commands// /$'\\n'}\" ;;\n", 1)
    return text + "\n# ex: filetype=sh\n"


# ---------------------------------------------------------------- zsh

ZSH_LOGIC = r'''
_brick_run() {
  local -a root
  local i
  for (( i = 2; i < ${#words}; i++ )); do
    case ${words[i]} in
      --root) root=(--root ${words[i+1]}) ;;
      --root=*) root=(--root ${words[i]#--root=}) ;;
    esac
  done
  ${words[1]} $root "$@" 2>/dev/null
}

_brick_kind() {
  case $1 in
    file) _files ;;
    dir) _files -/ ;;
    container) compadd -- ${(f)"$(_brick_run list -q)"} ;;
    pod) compadd -- ${(f)"$(_brick_run pod ls | awk 'NR > 1 { print $1 }')"} ;;
    profile) compadd -- help ${(f)"$(_brick_run do --profile help | awk '/^  [^ ]/ { print $1 }')"} ;;
    user) _users ;;
    cap) compadd -- ${=_brick_caps} ;;
    signal) compadd -- ${=_brick_signals} ;;
    command-name) compadd -- ${=_brick_commands} ;;
    words:*container:*)
      if [[ ${words[CURRENT]} == *container:* ]]; then  # --net container:NAME
        compset -P '*container:'
        compadd -- ${(f)"$(_brick_run list -q)"}
        return
      fi
      ;&
    words:*)
      local -a w=(${(s:,:)${1#words:}})
      if [[ ${w[*]} == *[:=]* ]]; then compadd -S '' -- $w; else compadd -- $w; fi ;;
  esac
}

_brick() {
  local i=2 key=_ cmd="" npos=0 w k n lk
  local -a kk pk
  while (( i < CURRENT )); do
    w=${words[i]}
    if [[ -z $cmd ]]; then
      if [[ $w == -* ]]; then
        lk="_ $w"
        k=${_brick_optargs[$lk]}
        kk=(${=k})
        if (( i + ${#kk} >= CURRENT )); then
          _brick_kind ${kk[CURRENT - i]}
          return
        fi
        (( i += 1 + ${#kk} ))
        continue
      fi
      cmd=$w key=$w
      (( i++ ))
      if [[ -n ${_brick_subs[$cmd]} ]] && (( i < CURRENT )); then
        key="$cmd ${words[i]}"
        (( i++ ))
      fi
      continue
    fi
    if [[ $w == -* && $w != - ]] && ! (( npos && ${_brick_stop_at_arg[$key]:-0} )); then
      [[ $w == -- ]] && { (( i++ )); continue; }
      lk="$key ${w%%=*}"
      k=${_brick_optargs[$lk]}
      kk=(${=k})
      [[ $w == *=* ]] && kk=()
      if (( i + ${#kk} >= CURRENT )); then
        _brick_kind ${kk[CURRENT - i]}
        return
      fi
      (( i += 1 + ${#kk} ))
      continue
    fi
    pk=(${=_brick_args[$key]})
    if (( ${#pk} )) && [[ ${pk[npos < ${#pk} ? npos + 1 : ${#pk}]} == command ]]; then
      shift $(( i - 1 )) words
      (( CURRENT -= i - 1 ))
      _normal
      return
    fi
    (( npos++, i++ ))
  done

  local cur=${words[CURRENT]}
  if [[ $cur == --*=* ]]; then
    lk="$key ${cur%%=*}"
    k=${_brick_optargs[$lk]}
    if [[ -n $k ]]; then
      compset -P '*='
      kk=(${=k})
      _brick_kind $kk[1]
    fi
    return
  fi
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      _describe -t options 'global option' _brick_desc__
    else
      _describe -t commands 'brick command' _brick_cmd_desc
    fi
    return
  fi
  if [[ $key == $cmd && -n ${_brick_subs[$cmd]} ]]; then
    compadd -- ${=_brick_subs[$cmd]}
    return
  fi
  if [[ $cur == -* ]] && ! (( npos && ${_brick_stop_at_arg[$key]:-0} )); then
    local -a desc
    desc=("${(@P)${:-_brick_desc_${key//[- ]/_}}}")
    _describe -t options "brick $key option" desc
    return
  fi
  pk=(${=_brick_args[$key]})
  (( ${#pk} )) || return 1
  k=${pk[npos < ${#pk} ? npos + 1 : ${#pk}]}
  if [[ $k == command ]]; then
    _command_names -e
  else
    _brick_kind $k
  fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _brick "$@"
else
  compdef _brick brick
fi
'''


def zsh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def zsh(dump):
    t = tables(dump)
    out = ["#compdef brick", HEADER.rstrip()]
    out.append("_brick_commands=" + zsh_quote(" ".join([c["name"] for c in dump["commands"]] + ["help"])))
    out.append("_brick_caps=" + zsh_quote(" ".join(dump["capabilities"] + ["ALL"])))
    out.append("_brick_signals=" + zsh_quote(" ".join(SIGNALS)))
    out.append("_brick_cmd_desc=(")
    out.extend("  " + zsh_quote(f"{c['name']}:{c['summary']}") for c in dump["commands"])
    out.append("  'help:show help for a command'")
    out.append(")")
    optargs, subs, stop = {}, {}, {}
    for key, options in t.items():
        out.append(f"_brick_desc_{re.sub('[- ]', '_', key)}=(")
        for o in options:
            if "heading" in o:
                continue
            for f in flags_of(o):
                help_ = o["help"] if not f.startswith("--no-") else f"undo --{o['long'][0]}"
                names = [f]
                if o["arg_optional"] and f.startswith("--") and not f.startswith("--no-"):
                    names.append(f + "=")
                for name in names:
                    out.append("  " + zsh_quote(name.replace(":", "\\:") + ":" + short_help(help_)))
                if nargs(o) and not f.startswith("--no-"):
                    optargs[f"{key} {f}"] = " ".join(k.replace(" ", ",") for k in kinds(o))
                if o["arg_optional"] and f.startswith("--"):
                    optargs[f"{key} {f}"] = (o["complete"] or "none").replace(" ", ",")
        out.append(")")
    for c in dump["commands"]:
        if c["subcommands"]:
            subs[c["name"]] = " ".join(s["name"] for s in c["subcommands"])
        if c["args"] and "command" in c["args"].split():
            stop[c["name"]] = "1"

    def assoc(name, d):
        out.append(f"typeset -gA {name}")
        out.append(f"{name}=(")
        out.extend(f"  {zsh_quote(k)} {zsh_quote(v)}" for k, v in sorted(d.items()))
        out.append(")")
    assoc("_brick_optargs", optargs)
    assoc("_brick_args", dict(positional(dump), help="command-name"))
    assoc("_brick_subs", subs)
    assoc("_brick_stop_at_arg", stop)
    return "\n".join(out) + "\n" + ZSH_LOGIC


# ---------------------------------------------------------------- fish

FISH_LOGIC = r'''
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
'''


def fish_quote(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(dump):
    t = tables(dump)
    out = ["# fish completion for brick(8)", HEADER.rstrip()]
    out.append("set -g __brick_commands " + fish_quote(" ".join([c["name"] for c in dump["commands"]] + ["help"])))
    out.append("set -g __brick_caps " + fish_quote(" ".join(dump["capabilities"] + ["ALL"])))
    out.append("set -g __brick_signals " + fish_quote(" ".join(SIGNALS)))
    out.append("set -g __brick_with_subs " + " ".join(c["name"] for c in dump["commands"] if c["subcommands"]))
    out.append("set -g __brick_stop_at_arg " + " ".join(
        c["name"] for c in dump["commands"] if c["args"] and "command" in c["args"].split()))
    # option arguments: one switch for the whole table
    out.append("\nfunction __brick_optarg\n    switch \"$argv[1] $argv[2]\"")
    cases = {}
    for key, options in t.items():
        for o in options:
            if "heading" in o or not nargs(o):
                continue
            for f in flags_of(o):
                if not f.startswith("--no-"):
                    cases.setdefault(" ".join(k.replace(" ", ",") for k in kinds(o)), []).append(f"{key} {f}")
    for v, ks in sorted(cases.items()):
        out.append("        case " + " ".join(fish_quote(k) for k in sorted(ks)))
        out.append("            echo " + fish_quote(v))
    out.append("    end\nend")
    out.append("\nfunction __brick_args\n    switch $argv[1]")
    for k, v in sorted(dict(positional(dump), help="command-name").items()):
        if v:
            out.append(f"        case {fish_quote(k)}\n            echo {fish_quote(v)}")
    out.append("    end\nend")
    out.append(FISH_LOGIC)
    out.append("# commands and subcommands")
    for c in dump["commands"]:
        out.append(f"complete -c brick -n '__brick_key_is \"\"' -a {c['name']} -d {fish_quote(c['summary'])}")
        for s in c["subcommands"]:
            out.append(f"complete -c brick -n '__brick_sub_of {c['name']}' -a {s['name']} -d {fish_quote(s['summary'])}")
    out.append("complete -c brick -n '__brick_key_is \"\"' -a help -d 'show help for a command'")
    out.append("# options")
    for key, options in t.items():
        cond = f"__brick_key_is {fish_quote(key)}" if key != "_" else "__brick_key_is ''"
        for o in options:
            if "heading" in o:
                continue
            parts = [f"complete -c brick -n {fish_quote(cond)}"]
            if o["short"]:
                parts.append(f"-s {o['short']}")
            parts += [f"-l {n}" for n in o["long"]]
            if nargs(o) or o["arg_optional"]:
                kind = (o["complete"] or "none").replace(" ", ",")
                if kind == "file":
                    parts.append("-r -F" if not o["arg_optional"] else "-F")
                else:
                    parts.append(("-x" if not o["arg_optional"] else "-f") +
                                 f" -a {fish_quote('(__brick_kind ' + kind + ')')}")
            parts.append(f"-d {fish_quote(short_help(o['help']))}")
            out.append(" ".join(parts))
            if o["negatable"]:
                out.append(f"complete -c brick -n {fish_quote(cond)} -l no-{o['long'][0]} "
                           f"-d {fish_quote('undo --' + o['long'][0])}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- main

def outputs(dump, top):
    files = man_pages(dump, top)
    comp = os.path.join(top, "completion")
    files[os.path.join(comp, "brick.bash")] = bash(dump)
    files[os.path.join(comp, "_brick")] = zsh(dump)
    files[os.path.join(comp, "brick.fish")] = fish(dump)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--brick", default=os.path.join(REPO, "build", "brick"))
    ap.add_argument("--check", action="store_true", help="fail when a generated file differs")
    ap.add_argument("--tree", default=REPO, help="the tree holding man/ and completion/ (default: this one)")
    a = ap.parse_args()
    stale = 0
    for path, text in outputs(load(a.brick), a.tree).items():
        old = open(path).read() if os.path.exists(path) else ""
        if old == text:
            continue
        rel = os.path.relpath(path, a.tree)
        if a.check:
            stale += 1
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                       "a/" + rel, "b/" + rel))
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {rel}")
    if stale:
        print(f"gendocs: {stale} file(s) differ from the option tables: run ./dev docs and commit them",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
