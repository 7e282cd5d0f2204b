"""Docs that cannot drift: --help, the man pages' OPTIONS sections and the bash,
zsh and fish completions all come from the option tables the parser uses
(core/opts.h, `brick help --dump-options`, tools/gendocs.py)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BRICK, REPO, brick_only, new_id, ISSUED_IDS, run_cmd

pytestmark = brick_only
GENDOCS = str(REPO / "tools" / "gendocs.py")
PY = "/usr/bin/python3"


def dump():
    cp = run_cmd([BRICK, "help", "--dump-options"])
    assert cp.returncode == 0, cp.stderr
    return json.loads(cp.stdout)


def tables():
    d = dump()
    yield "", [], d["global"]["options"]
    for c in d["commands"]:
        yield c["name"], [c["name"]], c["options"]
        for s in c["subcommands"]:
            yield f"{c['name']} {s['name']}", [c["name"], s["name"]], s["options"]


def test_checked_in_man_pages_and_completions_match_the_tables():
    cp = run_cmd([PY, GENDOCS, "--brick", BRICK, "--check"])
    assert cp.returncode == 0, "run ./dev docs:\n" + cp.stdout + cp.stderr


@pytest.fixture
def tree(workdir):
    """A copy of man/ and completion/ to edit."""
    t = workdir / "tree"
    for d in ("man", "completion"):
        shutil.copytree(REPO / d, t / d)
    return t


def test_a_stale_man_page_or_completion_fails_the_check(tree):
    page = tree / "man" / "brick-do.8"
    page.write_text(page.read_text().replace("kill the container when this 'brick do' dies",
                                             "kill the container sometimes"))
    cp = run_cmd([PY, GENDOCS, "--brick", BRICK, "--check", "--tree", str(tree)])
    assert cp.returncode == 1
    assert "man/brick-do.8" in cp.stdout and "-kill the container sometimes" in cp.stdout
    assert "1 file(s) differ" in cp.stderr
    comp = tree / "completion" / "brick.fish"
    comp.write_text(comp.read_text().replace("-l die-with-parent", "-l die-with-parnet"))
    cp = run_cmd([PY, GENDOCS, "--brick", BRICK, "--check", "--tree", str(tree)])
    assert cp.returncode == 1 and "completion/brick.fish" in cp.stdout and "2 file(s) differ" in cp.stderr


def test_regeneration_keeps_the_hand_written_parts(tree):
    page = tree / "man" / "brick-logs.8"
    text = page.read_text()
    hand = text.replace(".SH DESCRIPTION\n", ".SH DESCRIPTION\nA hand\\-written line.\n")
    stale = hand.replace("only the last N lines", "the last lines")
    page.write_text(stale)
    cp = run_cmd([PY, GENDOCS, "--brick", BRICK, "--tree", str(tree)])
    assert cp.returncode == 0 and "wrote man/brick-logs.8" in cp.stdout, cp.stderr
    assert page.read_text() == hand  # the options from the table, the prose as edited


def test_help_man_and_completions_list_every_option_of_every_command():
    bash = (REPO / "completion" / "brick.bash").read_text()
    zsh = (REPO / "completion" / "_brick").read_text()
    fish = (REPO / "completion" / "brick.fish").read_text()
    n = 0
    for key, argv, options in tables():
        helptext = run_cmd([BRICK, *(argv[:1] or ["--help"]), *(["--help"] if argv else [])]).stdout
        page = (REPO / "man" / (f"brick-{argv[0]}.8" if argv else "brick.8")).read_text()
        for o in options:
            if "heading" in o:
                assert o["heading"] in helptext
                continue
            n += 1
            assert o["label"] in helptext, (key, o["label"])
            assert f'.B "{o["label"].replace("-", chr(92) + "-")}"' in page, (key, o["label"])
            for name in o["long"]:
                assert f"--{name}" in bash and f"--{name}" in zsh and f"-l {name}" in fish, (key, name)
    assert n > 120


def test_every_documented_option_is_one_the_parser_takes(brick, workdir):
    """The parser's table is the documented one: no documented option is
    refused as unknown (its value or missing arguments may be)."""
    for key, argv, options in tables():
        for o in options:
            if "heading" in o or o["long"] in (["help"], ["version"]):
                continue
            for name in o["long"] + ([f"no-{o['long'][0]}"] if o["negatable"] else []):
                flag = f"--{name}=x" if o["arg"] and not name.startswith("no-") else f"--{name}"
                args = [flag, "list"] if not argv else [*argv, flag]
                cp = subprocess.run([BRICK, "--root", str(brick.root), *args], cwd=workdir, timeout=10,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)  # in workdir: spec --rootless writes config.json, --log=x x
                assert "unknown or incomplete option" not in cp.stderr, (args, cp.stderr)
    cp = run_cmd([BRICK, "--root", str(brick.root), "do", "--no-such-flag", "true"])
    assert cp.returncode == 1 and "unknown or incomplete option '--no-such-flag'" in cp.stderr


def test_do_help_shows_every_flag_group():
    out = run_cmd([BRICK, "do", "--help"]).stdout
    for s in ("Options:", "Namespaces and network", "Desktop (docs/DESKTOP.md):", "--[no-]x11[=untrusted]",
              "--[no-]audio[=devices|auto]", "-u USER[:GROUP]", "--net, --network MODE", "-p, --publish",
              "--bind-try SRC DST", "--profile NAME", "-d, --[no-]detach", "--[no-]rm", "--init"):
        assert s in out, s
    assert max(len(line) for line in out.splitlines()) <= 84


# ---------------------------------------------------------------- completions, run for real

BASH_HARNESS = r'''
source /usr/share/bash-completion/bash_completion
source "$1"
shift
compopt() { :; }  # readline's options (nospace): only inside a real completion
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_brick
printf '%s\n' "${COMPREPLY[@]}"
'''

ZSH_COMPLETE = str(REPO / "tests" / "helpers" / "zsh-complete.zsh")


@pytest.fixture
def live(brick, workdir):
    """A running container, a pod and a user profile, under the test's --root."""
    if not os.path.exists("/usr/share/bash-completion/bash_completion"):
        pytest.skip("bash-completion is not installed (./dev deps)")
    name = new_id()
    brick.ok("do", "-d", "--name", name, "--", "sleep", "60")
    pod = new_id()
    ISSUED_IDS.add("pod-" + pod)
    brick.ok("pod", "create", pod)
    xdg = workdir / "config"
    (xdg / "brick" / "profiles").mkdir(parents=True)
    (xdg / "brick" / "profiles" / "mytool.profile").write_text("description=mine\n--net=host\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(xdg), HOME=str(workdir))  # fish keeps its files there
    yield {"name": name, "pod": pod, "env": env, "root": str(brick.root), "workdir": str(workdir)}
    brick.ok("pod", "rm", "--force", pod)
    brick("delete", "-f", name)


def complete_many(shell, live, *lines):
    """What a Tab after each line (words) offers, through the shell's own completion:
    bash's complete -F function with COMP_WORDS, zsh's completion system on a pty,
    fish's complete -C."""
    root = ["--root", live["root"]]
    env = dict(live["env"], PATH=f"{os.path.dirname(BRICK)}:{os.environ['PATH']}")
    run = lambda argv: subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                      timeout=60)
    if shell == "zsh":
        fp, out = Path(live["workdir"]) / "zfp", Path(live["workdir"]) / "zout"
        fp.mkdir(exist_ok=True)
        out.mkdir(exist_ok=True)
        shutil.copy(REPO / "completion" / "_brick", fp / "_brick")
        cp = run(["zsh", "-f", ZSH_COMPLETE, str(fp), str(out),
                  *[" ".join(["brick", *root, *words]) for words in lines]])
        assert cp.returncode == 0, cp.stderr
        return [(out / str(i + 1)).read_text().splitlines()[:-1] for i in range(len(lines))]
    results = []
    for words in lines:
        if shell == "bash":
            cp = run(["bash", "-c", BASH_HARNESS, "harness", str(REPO / "completion" / "brick.bash"), BRICK, *root,
                      *words])
        else:
            line = " ".join(["brick", *root, *words])
            cp = run(["fish", "-c", f"source {REPO / 'completion' / 'brick.fish'}; complete -C '{line}'"])
        assert cp.returncode == 0 and not cp.stderr, cp.stderr
        results.append([m.split("\t")[0] for m in cp.stdout.splitlines()])
    return results


SHELLS = [pytest.param(s, marks=pytest.mark.skipif(not shutil.which(s), reason=f"{s} is not installed"))
          for s in ("bash", "zsh", "fish")]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_of_names_and_flags(shell, live):
    name, pod = live["name"], live["pod"]
    cases = [  # (words, what must be offered)
        (("",), {"do", "exec", "logs", "pod", "profile"}),
        (("kill", ""), {name}),                                    # container names, from brick list
        (("exec", "-t", ""), {name}),
        (("do", "--pod", ""), {pod}),                              # pod names, from brick pod ls
        (("pod", "rm", ""), {pod}),
        (("do", "--profile", ""), {"mytool", "browser", "gui"}),   # the user's and the shipped
        (("pod", ""), {"create", "rm", "ls"}),
        (("do", "--"), {"--x11", "--wayland", "--gpu", "--audio", "--device", "--shm-size", "--die-with-parent",
                        "--allow-nested-ns", "--profile", "--net", "--publish", "--bind-try", "--no-init"}),
        (("do", "--net", ""), {"new", "host", "user", "container:", "ns:"}),
        (("do", "--cap-add", "CAP_NET_"), {"CAP_NET_RAW", "CAP_NET_ADMIN"}),
        (("--log-format", ""), {"text", "json"}),
        (("logs", "--"), {"--follow", "--tail"}),
        (("kill", name, "SIGK"), {"SIGKILL"}),
        (("update", "--mem"), {"--memory", "--memory-swap"}),
        (("do", "--net", "contai"), {"container:"}),
    ]
    got = complete_many(shell, live, *[w for w, _ in cases],
                        ("do", "--x11="), ("do", "--net", f"container:{name[:3]}"), ("do", "--pid", "container:"),
                        ("do", ""))
    for (words, want), offered in zip(cases, got):
        assert want <= set(offered), (words, offered)
    x11, net, pid, cmd = got[len(cases):]
    assert "untrusted" in [w.split("=")[-1] for w in x11], x11
    assert [w for w in net if w.endswith(name)] and [w for w in pid if w.endswith(name)], (net, pid)
    assert name not in cmd                                          # do runs a command, not a container


def test_bash_completes_the_command_of_do(live):
    got = complete_many("bash", live, ("do", "-d", "--name", "x", "sle"),
                        ("do", "--bind-try", "/etc", "/etc", "--", "sle"), ("do", "--bind-try", "/et"),
                        ("do", "--bind-try", "/etc", "/us"))
    assert "sleep" in got[0] and "sleep" in got[1]
    assert "/etc" in got[2] and "/usr" in got[3]                    # both arguments of --bind-try: files


@pytest.mark.parametrize("shell", [s for s in SHELLS if s.values[0] != "bash"])
def test_zsh_and_fish_complete_the_command_of_do(shell, live):
    cmd, ls_opts, files = complete_many(shell, live, ("do", "-d", "sle"), ("do", "-d", "--", "ls", "--al"),
                                        ("do", "--rootfs", "/us"))
    assert "sleep" in cmd
    assert "--all" in ls_opts                                       # ls's own completion
    assert [f for f in files if f.rstrip("/") in ("/usr", "usr")], files    # zsh: the last component


@pytest.mark.parametrize("shell,check", [("bash", ["bash", "-n"]), ("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])])
def test_completion_scripts_parse(shell, check):
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    f = {"bash": "brick.bash", "zsh": "_brick", "fish": "brick.fish"}[shell]
    cp = run_cmd([*check, str(REPO / "completion" / f)])
    assert cp.returncode == 0, cp.stderr
