"""docs/SECURITY.md names, for each attack, the test that performs it. A
name in a table that no test carries (a typo, a renamed or deleted test) is
a claim without its proof: every CVE or advisory row must name at least one
test, and every test a row names must exist: a test function of
tests/integration (`test_x`, `file.py::test_x`, `test_x[...]`, `test_x_*`),
a test file, or a scenario of a VM lane (`VM scenario name`, or
`test_systemd_host[name]` and `test_selinux_host[name]`: the name in a
LANE_TESTS line of tests/vm/<lane>-lane/*.sh). Conversely every test named
after a CVE (test_cve_YYYY_N...) has that CVE in a row. Reads files only."""
import re

from conftest import REPO

DOC = REPO / "docs" / "SECURITY.md"
TESTS = REPO / "tests" / "integration"
VM = REPO / "tests" / "vm"
# test_cgroup_v2_vm.py's tests with one parameter per scenario of their lane
LANE_OF_TEST = {"test_systemd_host": "systemd-lane", "test_selinux_host": "selinux-lane"}
ADVISORY = re.compile(r"\b(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b")


def table_rows():
    """(line number, cells) of every table body row of the document."""
    for n, line in enumerate(DOC.read_text().splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and not set(line) <= set("|-: ") and cells[-1] != "test":
            yield n, cells


def integration_functions():
    """{file name: set of its test function names} of tests/integration."""
    return {f.name: set(re.findall(r"^def (test_\w+)\(", f.read_text(), re.M)) for f in TESTS.glob("test_*.py")}


def lane_scenarios():
    """{lane directory: the scenario names of its LANE_TESTS lines}."""
    lanes = {}
    for f in VM.glob("*-lane/*.sh"):
        for m in re.finditer(r'^LANE_TESTS="\$LANE_TESTS ([^"]*)"', f.read_text(), re.M):
            lanes.setdefault(f.parent.name, set()).update(m.group(1).split())
    return lanes


def named_tests(cell):
    """The references of a row's test cell: ("vm", lane or None, name) for
    a scenario, ("py", file or None, function or None, is_prefix) else."""
    refs = [("vm", None, m.group(1)) for m in re.finditer(r"VM scenario `([\w-]+)`", cell)]
    vm = {r[2] for r in refs}
    for m in re.finditer(r"`((?:test_\w+\.py)?(?:::)?(?:test_\w+)?)(\*)?(?:\[([^\]`]*)\])?`", cell):
        ref, star, param = m.group(1), bool(m.group(2)), m.group(3)
        if not ref.startswith("test_") or ref in vm:
            continue
        file, _, func = ref.rpartition("::") if "::" in ref else (ref if ref.endswith(".py") else "", "", ref)
        if func in LANE_OF_TEST and param and param != "*":
            refs.append(("vm", LANE_OF_TEST[func], param))
        refs.append(("py", file or None, None if func.endswith(".py") else func or None, star))
    return refs


def resolve(ref, functions, scenarios):
    """None when ref exists, else what is missing."""
    if ref[0] == "vm":
        _, lane, name = ref
        known = scenarios.get(lane, set()) if lane else set().union(*scenarios.values())
        return None if name in known else f"VM scenario {name} (not in the LANE_TESTS of {lane or 'any lane'})"
    _, file, func, prefix = ref
    if file and file not in functions:
        return f"file {file}"
    if not func:
        return None
    pool = functions[file] if file else set().union(*functions.values())
    found = any(f.startswith(func) for f in pool) if prefix else func in pool
    return None if found else f"test {file + '::' if file else ''}{func}{'*' if prefix else ''}"


def test_every_named_test_exists():
    functions, scenarios = integration_functions(), lane_scenarios()
    missing, unproven = [], []
    for n, cells in table_rows():
        refs = named_tests(cells[-1])
        if ADVISORY.search(" ".join(cells[:-1])) and not refs:
            unproven.append(f"SECURITY.md:{n}: {ADVISORY.findall(' '.join(cells))}")
        missing += [f"SECURITY.md:{n}: {what}" for what in (resolve(r, functions, scenarios) for r in refs) if what]
    assert not unproven, "rows naming a CVE without a test:\n" + "\n".join(unproven)
    assert not missing, "named in docs/SECURITY.md but not found:\n" + "\n".join(missing)


def test_every_cve_test_has_its_row():
    """test_cve_2017_5226_... exists, so CVE-2017-5226 is in a row."""
    in_rows = {a for _, cells in table_rows() for a in ADVISORY.findall(" ".join(cells))}
    tested = set()
    for names in integration_functions().values():
        for name in names:
            m = re.match(r"test_cve_(\d{4})_(\d{4,})_", name)
            if m:
                tested.add(f"CVE-{m.group(1)}-{m.group(2)}")
    assert not tested - in_rows, f"tests named after a CVE that docs/SECURITY.md does not list: {sorted(tested - in_rows)}"


def test_the_checker_sees_a_missing_test():
    """The parser itself: a row naming a test that does not exist, a VM
    scenario, a prefix and a parametrised name."""
    functions = {"test_a.py": {"test_cve_2020_1_x", "test_y"}}
    functions["test_vm.py"] = {"test_systemd_host"}
    cell = ("`test_a.py::test_y[*]`, `test_cve_2020_1_*`, `test_gone`, `test_a.py`, `test_b.py::test_y`, "
            "VM scenario `one`, VM scenario `two`, `test_vm.py::test_systemd_host[three]`, `test_systemd_host[one]`")
    lanes = {"systemd-lane": {"one"}, "selinux-lane": {"three"}}
    what = [resolve(r, functions, lanes) for r in named_tests(cell)]
    assert what == [None, "VM scenario two (not in the LANE_TESTS of any lane)", None, None, "test test_gone", None,
                    "file test_b.py", "VM scenario three (not in the LANE_TESTS of systemd-lane)", None, None,
                    None], what
