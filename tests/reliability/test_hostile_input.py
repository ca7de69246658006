"""Hostile input, second round (issue 16): what an outside tester broke, through the real CLI.

Each category of the issue has its tests here: a package that steers a publish outside its
dataset, symbolic links and FIFOs, numbers with invisible characters inside, cost against size,
`validate` and the network, `serve`, and inputs that made the CLI report an internal error (exit
70) instead of one line naming the file (exit 2).

The short CLI runs of this module start together (three at a time) in one module fixture; each
test reads its own run's result.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import REPORTPUB, SEED, base_env, one_line_error, run_cli, snapshot

ZWSP, SOFT_HYPHEN = "\u200b", "\u00ad"
INVISIBLE = [ZWSP, SOFT_HYPHEN, "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2062"]
HEAD = "示范市2022年政府工作报告\n示范市人民政府\n"


def _seed_package(root: Path, name: str = "pkg") -> Path:
    """A fresh copy of the seed report's package (built once per module run, by the fixture)."""
    dest = root / name
    shutil.copytree(root / "seed-pkg", dest)
    return dest


def _edit_descriptor(pkg: Path, **changes) -> None:
    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor.update(changes)
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _facts(pkg: Path) -> list[dict]:
    with open(pkg / "data" / "facts.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- inputs of the short runs: case -> (argv, what the one line must match, expected exit) ----------

def _setup(root: Path) -> dict:
    """Write every input of the short runs; return case -> (argv, cwd, reason regex, exit code)."""
    seed_pkg = root / "seed-pkg"
    cases: dict = {}

    # 1. a package's version or name used as a path
    for i, version in enumerate(["../../city/releases/1.0.0/injected", "../../../../victimzone/victim",
                                 str(root / "absolute-target"), "1.0.0/../../x", "1.0"]):
        pkg = _seed_package(root, f"pkg-version-{i}")
        _edit_descriptor(pkg, version=version)
        cases[f"version {version}"] = (["publish", pkg, "--portal", root / "portal-city"], r"version.*MAJOR\.MINOR\.PATCH", 2)
    pkg = _seed_package(root, "pkg-name-list")
    _edit_descriptor(pkg, name=["a", "b"])
    cases["name that is a list"] = (["publish", pkg, "--portal", root / "portal-name"], r"name must be text", 2)

    # 2. symbolic links and FIFOs in a package
    secret = root / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("SECRET-VALUE-7f3a\n", encoding="utf-8")
    pkg = _seed_package(root, "pkg-symlink-extra")
    (pkg / "extra.txt").symlink_to(secret)
    cases["symlink extra file, publish"] = (["publish", pkg, "--portal", root / "portal-symlink"],
                                            r"extra\.txt is a symbolic link", 2)
    pkg = _seed_package(root, "pkg-symlink-report")
    (pkg / "validation.html").symlink_to(secret)
    cases["symlink validation.html, validate"] = (["validate", pkg], r"validation\.html is a symbolic link", 2)
    pkg = _seed_package(root, "pkg-fifo")
    os.mkfifo(pkg / "data" / "extra.csv")
    cases["FIFO in a package, validate"] = (["validate", pkg], r"extra\.csv is a FIFO", 2)

    # 3. NUL bytes; valid UTF-8 in another script
    (root / "nul.txt").write_bytes((HEAD + "全市生产总值增长\x005.5%，投资12\x003亿元。\n").encode())
    cases["NUL bytes"] = (["build", "nul.txt", "-o", "out-nul"], r"nul\.txt.*NUL", 2)
    (root / "arabic.txt").write_text(HEAD + "全市生产总值增长٥٫٥%，投资١٢٣亿元，另有١2.5%和3.5%。\n" * 3, encoding="utf-8")
    cases["Arabic-Indic digits"] = (["build", "arabic.txt", "-o", "out-arabic"], None, 0)
    (root / "invisible.txt").write_text(HEAD + "".join(
        f"全市地区生产总值增长1{c}2.5%，一般公共预算收入1{c}234.5亿元，新建学校3{c}4所。\n" for c in INVISIBLE),
        encoding="utf-8")
    cases["invisible characters in numbers"] = (["build", "invisible.txt", "-o", "out-invisible"], None, 0)

    # 4. cost: limits that refuse at once
    (root / "long-paragraph.txt").write_text(HEAD + "全市坚持稳中求进工作总基调" * 80_000 + "新建学校12所。\n",
                                             encoding="utf-8")
    cases["1 MB paragraph"] = (["build", "long-paragraph.txt", "-o", "out-long"], r"REPORTPUB_MAX_PARAGRAPH_CHARS", 2)
    (root / "many-numbers.txt").write_text(
        HEAD + "，".join(f"新建学校{i % 90 + 10}所" for i in range(20_000)) + "。\n", encoding="utf-8")
    cases["20,000 numbers in a paragraph"] = (["build", "many-numbers.txt", "-o", "out-many"],
                                              r"many-numbers\.txt.*REPORTPUB_MAX_NUMBERS_PER_PARAGRAPH", 2)
    pkg = _seed_package(root, "pkg-big-facts")
    with open(pkg / "data" / "facts.csv", "a", encoding="utf-8") as f:
        f.write("x" * (3 * 1024 * 1024))
    cases["facts.csv over REPORTPUB_MAX_PACKAGE_BYTES"] = (["publish", pkg, "--portal", root / "portal-big"],
                                                           r"REPORTPUB_MAX_PACKAGE_BYTES", 2)
    cases["facts.csv over REPORTPUB_MAX_PACKAGE_BYTES, validate"] = (["validate", pkg], r"REPORTPUB_MAX_PACKAGE_BYTES", 2)
    os.mkfifo(root / "pipe-source.txt")
    gold = Path(__file__).parents[1] / "fixtures" / "gold" / "bda-2022-work-summary.gold.csv"
    cases["FIFO as eval source"] = (["eval", seed_pkg, gold, "pipe-source.txt"], r"pipe-source\.txt.*FIFO", 2)

    # 7. what ended as an internal error (exit 70)
    for case, meta, reason in [("meta title a number", '{"title": 5}', r"title must be text"),
                               ("meta publisher a list", '{"publisher": ["a"]}', r"publisher must be text"),
                               ("meta nested 100,000 deep", _deep(100_000), r"nested deeper.*REPORTPUB_MAX_JSON_DEPTH")]:
        name = re.sub(r"\W+", "-", case) + ".txt"
        shutil.copyfile(SEED, root / name)
        (root / f"{name}.meta.json").write_text(meta, encoding="utf-8")
        cases[case] = (["build", name, "-o", f"out-{name}"], re.escape(name) + r"\.meta\.json.*" + reason, 2)
    pkg = _seed_package(root, "pkg-deep")
    (pkg / "datapackage.json").write_text(_deep(100_000), encoding="utf-8")
    cases["datapackage.json nested 100,000 deep"] = (["publish", pkg, "--portal", root / "portal-deep"],
                                                     r"datapackage\.json.*nested deeper", 2)
    long_name = "报" * 82 + ".txt"  # 250 bytes: NAME.meta.json would be over the 255 bytes of a file name
    shutil.copyfile(SEED, root / long_name)
    cases["a 250-byte file name"] = (["build", long_name, "-o", "out-long-name"], None, 0)
    undecodable = os.fsdecode(b"bad-\xff-name.txt")
    shutil.copyfile(SEED, root / undecodable)
    cases["a file name that is not UTF-8"] = (["build", undecodable, "-o", "out-bad-name"], None, 0)
    for case, damage, reason in [
        ("history.json corrupt", lambda ds: (ds / "latest" / "history.json").write_text("{bad"),
         r"history\.json.*not valid JSON"),
        ("history.json without versions", lambda ds: (ds / "latest" / "history.json").write_text('[{"a": 1}]'),
         r"history\.json.*version"),
        ("latest.json corrupt and latest a file", lambda ds: [(ds / "latest").unlink(), (ds / "latest").write_text("x")],
         r"latest: not a link to a release"),
        ("datasets/<name> is a file", lambda ds: [shutil.rmtree(ds), ds.write_text("x")], r"Not a directory"),
    ]:
        portal = root / ("portal-" + re.sub(r"\W+", "-", case))
        shutil.copytree(root / "published", portal, symlinks=True)
        damage(portal / "datasets" / root.joinpath("dataset-name").read_text())
        cases[case] = (["publish", _seed_package(root, "pkg-" + portal.name), "--portal", portal], reason, 2)
    (root / "portal-is-a-file").write_text("x")
    cases["--portal is a file"] = (["publish", _seed_package(root, "pkg-portal-file"), "--portal", "portal-is-a-file"],
                                   r"portal-is-a-file.*(exists|directory)", 2)
    (root / "binary.gold.csv").write_bytes(bytes(range(256)) * 64)
    (root / "columns.gold.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    rows = list(csv.reader(gold.open(encoding="utf-8")))
    rows[1][2] = "长" * (1024 * 1024 // 3)
    with open(root / "big-field.gold.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    for case, name, reason in [("eval binary gold", "binary.gold.csv", r"UTF-8"),
                               ("eval unknown columns", "columns.gold.csv", r"no column id"),
                               ("eval 1 MB field", "big-field.gold.csv", r"field larger")]:
        cases[case] = (["eval", seed_pkg, name, SEED], re.escape(name) + ".*" + reason, 2)
    cases["serve --port 70000"] = (["serve", "--portal", root / "published", "--port", "70000"], r"70000.*port", 2)
    os.mkfifo(root / "pipe.txt")
    cases["FIFO as a report"] = (["build", "pipe.txt", "-o", "out-pipe"], r"pipe\.txt.*FIFO", 2)
    (root / "folder.txt").mkdir()
    cases["folder as a report"] = (["build", "folder.txt", "-o", "out-folder"], r"folder\.txt.*folder", 2)
    shutil.copyfile(SEED, root / "a\x1b[31mred.txt")
    (root / "a\x1b[31mred.txt.meta.json").write_text("{", encoding="utf-8")
    cases["ANSI escape in a file name"] = (["build", "a\x1b[31mred.txt", "-o", "out-ansi"], r"a\\x1b\[31mred\.txt", 2)
    return cases


# The cases whose cost is measured (time and peak RSS of their own process): cold processes.
MEASURED = ("1 MB paragraph", "20,000 numbers in a paragraph", "facts.csv over REPORTPUB_MAX_PACKAGE_BYTES",
            "facts.csv over REPORTPUB_MAX_PACKAGE_BYTES, validate")


def _cold(case: str, argv: list) -> bool:
    """Measured, or `eval`: the warm process's validation raised csv's field size limit for the whole
    process, and `eval` must meet the limit a fresh process has (the 1 MB field case)."""
    return case in MEASURED or argv[0] == "eval"


@pytest.fixture(scope="module")
def ran(tmp_path_factory, warm_cli):
    """Every short case run at once: the measured ones and `eval` as cold processes (run_cli), the
    others forked from the warm CLI (the same `main()`, without ~2 s of imports each)."""
    root = tmp_path_factory.mktemp("hostile")
    env = base_env(root)
    built = warm_cli.run(["build", SEED, "-o", "seed-pkg"], cwd=root, env=env)
    assert built.code == 0, str(built)
    published = warm_cli.run(["publish", "seed-pkg", "--portal", "published"], cwd=root, env=env)
    assert published.code == 0, str(published)
    (root / "dataset-name").write_text(next((root / "published" / "datasets").iterdir()).name)
    for report in ("validation.json", "validation.html"):
        (root / "seed-pkg" / report).unlink(missing_ok=True)
    cases = _setup(root)
    before = {p: snapshot(p) for p in (root / "outside", root / "published")}
    small = dict(env, REPORTPUB_MAX_PACKAGE_BYTES=str(2 * 1024 * 1024))  # the seed package is ~0.4 MB
    jobs = {case: (argv, root, small if "MAX_PACKAGE" in case else env) for case, (argv, _, _) in cases.items()}
    with ThreadPoolExecutor(max_workers=2) as pool:
        cold = {}
        for case in [case for case, (argv, _, _) in jobs.items() if _cold(case, argv)]:
            argv, cwd, case_env = jobs.pop(case)
            cold[case] = pool.submit(run_cli, argv, cwd=cwd, env=case_env, timeout=120)
        results = warm_cli.run_all(jobs)
        results.update({case: f.result() for case, f in cold.items()})
    yield root, cases, results, before


def test_every_short_case_ends_with_its_exit_code_and_one_line_naming_file_and_reason(ran):
    """The table above: exit 2 with one line that names the file and matches the reason, or (exit 0)
    a normal build; never exit 70 (internal error), never a traceback."""
    root, cases, results, _ = ran
    wrong = []
    for case, (argv, reason, code) in cases.items():
        result = results[case]
        if result.code != code or "Traceback" in result.err or "internal error" in result.err:
            wrong.append(f"{case}: expected exit {code}\n{result}")
            continue
        if code:
            lines = [ln for ln in result.err.splitlines() if ln.strip()]
            if len(lines) != 1 or not re.search(reason, lines[0]):
                wrong.append(f"{case}: expected one line matching {reason!r}\n{result}")
    assert not wrong, "\n\n".join(wrong)


# --- 1. a package cannot write into what is published ---------------------------------------------------

def test_a_version_or_name_that_is_a_path_writes_nothing_anywhere(ran):
    root, cases, results, before = ran
    for case in [c for c in cases if c.startswith(("version ", "name "))]:
        assert results[case].code == 2, str(results[case])
    for portal in ("portal-city", "portal-name"):
        assert not (root / portal / "datasets").exists(), f"{portal}: a release was written"
    assert not list(root.rglob("victim*")) and not list(root.rglob("injected")), "written outside the portal"
    assert not (root / "absolute-target").exists()
    assert snapshot(root / "published") == before[root / "published"], "an earlier release changed"


# --- 2. links and FIFOs ------------------------------------------------------------------------------------

def test_a_symlink_in_a_package_is_never_followed_nor_written_through(ran):
    root, _, results, before = ran
    assert snapshot(root / "outside") == before[root / "outside"], "the file a link points to was overwritten"
    assert not (root / "portal-symlink" / "datasets").exists()
    leaked = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and p.parent != root / "outside"
              and b"SECRET-VALUE-7f3a" in p.read_bytes()]
    assert leaked == [], f"the target of a link was copied: {leaked}"
    assert results["FIFO in a package, validate"].seconds < 60


def test_run_skips_links_and_fifos_in_a_folder_and_publishes_only_regular_files(tmp_path, prefect_server):
    """A link dropped into an inbox folder must not publish its target; a FIFO must not block.
    (On the session's Prefect server: a temporary server of its own would cost ~30 s of CPU.)"""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    secret = tmp_path / "secret" / "passwords.txt"
    secret.parent.mkdir()
    secret.write_text("全市地区生产总值增长99.9%。SECRET-VALUE-7f3a\n", encoding="utf-8")
    shutil.copyfile(SEED, inbox / SEED.name)
    (inbox / "leak.txt").symlink_to(secret)
    os.mkfifo(inbox / "pipe.txt")
    result = run_cli(["run", "inbox", "--portal", "portal", "--work-dir", "work"], cwd=tmp_path,
                     env=base_env(tmp_path, PREFECT_API_URL=prefect_server.url), timeout=240)
    assert result.code == 0, str(result)
    skipped = [ln for ln in result.err.splitlines() if "skipped" in ln]
    assert len(skipped) == 2 and any("leak.txt" in ln and "symbolic link" in ln for ln in skipped) \
        and any("pipe.txt" in ln and "FIFO" in ln for ln in skipped), str(result)
    assert len(list((tmp_path / "portal" / "datasets").iterdir())) == 1
    for path in (tmp_path / "portal").rglob("*"):
        if path.is_file():
            assert b"SECRET-VALUE-7f3a" not in path.read_bytes(), f"the link's target was published in {path}"


# --- 3. numbers read whole or not at all ---------------------------------------------------------------------

def test_invisible_characters_inside_a_number_never_publish_a_part_of_it(ran):
    root, _, results, _ = ran
    values = {float(r["value"]) for r in _facts(root / "out-invisible")}
    assert not values & {2.5, 234.5, 4.0}, f"a part of a number was published: {values}"


def test_arabic_indic_digits_are_text_and_never_become_a_part_of_a_number(ran):
    root, _, results, _ = ran
    facts = _facts(root / "out-arabic")
    assert {float(r["value"]) for r in facts} == {3.5}, [(r["quote"], r["value"]) for r in facts]


def test_nul_bytes_are_refused_and_never_reach_a_package(ran):
    root, _, results, _ = ran
    assert not (root / "out-nul").exists()


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(head=st.from_regex(r"[1-9][0-9]{0,3}", fullmatch=True), tail=st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True),
       mark=st.sampled_from(INVISIBLE), unit=st.sampled_from(["%", "亿元", "万人", "所", "个百分点", "万吨"]),
       lead=st.sampled_from(["全市地区生产总值增长", "一般公共预算收入", "新建学校", "同比下降", ""]))
def test_a_number_with_an_invisible_character_inside_is_read_whole_or_not_at_all(head, tail, mark, unit, lead):
    """Property: whatever invisible (Cf) character stands between digits, no fact of that paragraph
    has a value other than the whole number's."""
    from reportpub.extract import extract
    from reportpub.ingest import document_from_text

    whole = float(head + tail)
    doc = document_from_text(HEAD + f"{lead}{head}{mark}{tail}{unit}。\n", source_name="p.txt")
    values = [f.value for f in extract(doc) if f.paragraph_id == 3]
    assert all(abs(v) == whole for v in values), (head, mark, tail, unit, values)


# --- 4. cost linear in the input, memory bounded ---------------------------------------------------------------

def test_limits_refuse_fast_in_little_memory(ran):
    _, _, results, _ = ran
    for case in MEASURED:
        result = results[case]
        assert result.seconds < 30 and result.maxrss_mb < 400, f"{case}: refusing cost too much\n{result}"


def test_a_long_unpunctuated_paragraph_gives_a_package_linear_in_its_length(warm_cli, tmp_path):
    """A paragraph of 190,000 characters (under the limit) with a number every 1,000: every fact's
    context used to be the whole paragraph (a 125 MB facts.csv, 1 GB to validate)."""
    text = "".join(("全市坚持稳中求进工作总基调着力推动高质量发展" * 60)[:990] + f"新建学校{i % 90 + 10}所"
                   for i in range(190))
    (tmp_path / "long.txt").write_text(HEAD + text + "。\n", encoding="utf-8")
    env = base_env(tmp_path)
    built = warm_cli.run(["build", "long.txt", "-o", "pkg"], cwd=tmp_path, env=env)
    assert built.code == 0, str(built)
    facts = _facts(tmp_path / "pkg")
    assert len(facts) >= 150
    size, source = (tmp_path / "pkg" / "data" / "facts.csv").stat().st_size, len(text.encode())
    assert size < 5 * source, f"facts.csv is {size:,} bytes for a paragraph of {source:,} bytes"
    checked = run_cli(["validate", "pkg"], cwd=tmp_path, env=env)
    assert checked.code in (0, 1) and checked.maxrss_mb < 700, str(checked)


# --- 5. validate never reaches the network ----------------------------------------------------------------------

def test_validate_never_opens_a_url_named_in_the_package(ran, warm_cli, tmp_path):
    root = ran[0]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                connections.append(conn.recv(200))
                conn.close()
            except OSError:
                pass

    threading.Thread(target=accept, daemon=True).start()
    pkg = tmp_path / "pkg"
    shutil.copytree(root / "seed-pkg", pkg)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["profile"] = f"{url}/profile.json"
    descriptor["resources"][0]["path"] = f"{url}/reports.csv"
    descriptor["resources"].append({"name": "remote", "path": f"{url}/x.csv", "schema": f"{url}/schema.json"})
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    try:
        result = warm_cli.run(["validate", "pkg"], cwd=tmp_path, env=base_env(tmp_path))
    finally:
        stop.set()
        time.sleep(0.3)
        listener.close()
    assert connections == [], f"validate connected to {url}: {connections}\n{result}"
    assert result.code == 1 and "Traceback" not in result.err, str(result)


# --- 6. serve -----------------------------------------------------------------------------------------------------

def test_serve_answers_a_nul_in_the_path_and_ignores_clients_that_go_away(ran):
    root = ran[0]
    portal = root / "published"
    (portal / "big.bin").write_bytes(os.urandom(16 * 1024 * 1024))
    proc = subprocess.Popen([str(REPORTPUB), "serve", "--portal", str(portal), "--port", "0"], cwd=root,
                            env=base_env(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)", proc.stdout.readline()).group(1))
        statuses = []
        for path in ("/%00", "/index.html%00.txt", "/datasets/%00/x"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
                statuses.append(s.recv(100).split(b"\r\n")[0].decode())
        for _ in range(5):  # read a little of a big file, then reset the connection
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /big.bin HTTP/1.0\r\n\r\n")
            s.recv(10)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        time.sleep(1)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
            still = s.recv(100).split(b"\r\n")[0].decode()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        (portal / "big.bin").unlink()
    assert all(re.match(r"HTTP/1\.\d (400|404)", st) for st in statuses), statuses
    assert "200" in still, "the server stopped answering"
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err


def test_serve_on_a_port_in_use_is_one_line_exit_2(ran):
    root = ran[0]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_cli(["serve", "--portal", root / "published", "--port", busy.getsockname()[1]], cwd=root,
                         env=base_env(root), timeout=30)
    assert result.code == 2 and re.search(r"cannot listen.*in use", one_line_error(result)), str(result)


# --- 7. one line, never a usage box, never the raw bytes of a file name -------------------------------------------

def test_an_unreadable_input_is_one_line_not_a_usage_box(tmp_path, monkeypatch):
    """click's own readability check printed a five-line usage box (reproduced as root, who reads
    everything, by making os.access say no); the command must reach the engine, which says why."""
    from typer.testing import CliRunner

    from reportpub.cli import app

    report = tmp_path / "locked.txt"
    shutil.copyfile(SEED, report)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if str(p) == str(report) else real_access(p, mode, *a, **k))
    result = CliRunner().invoke(app, ["build", str(report), "-o", str(tmp_path / "out")])
    assert "Usage:" not in result.output and "╭" not in result.output, result.output


def test_a_file_name_with_an_escape_sequence_is_echoed_escaped(ran):
    root, _, results, _ = ran
    result = results["ANSI escape in a file name"]
    assert "\x1b" not in result.err and "\\x1b[31m" in result.err, repr(result.err)


@settings(max_examples=60, deadline=None, database=None)
@given(depth=st.integers(1, 3000), limit=st.integers(1, 200), kind=st.sampled_from([("[", "]"), ('{"a":', "}")]))
def test_json_nested_over_the_limit_is_refused_with_its_setting_and_under_it_read(depth, limit, kind):
    """Property of every JSON file reportpub reads from outside (REPORT.meta.json, datapackage.json,
    the portal's history): nesting over REPORTPUB_MAX_JSON_DEPTH is one clear error, never a
    RecursionError; nesting within it reads as JSON."""
    import tempfile

    from reportpub.files import JsonFileError, read_json

    opening, closing = kind
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.json"
        path.write_text(opening * depth + "1" + closing * depth, encoding="utf-8")
        if depth <= limit:
            assert read_json(path, max_depth=limit) is not None
        else:
            with pytest.raises(JsonFileError, match="nested deeper than the limit.*REPORTPUB_MAX_JSON_DEPTH"):
                read_json(path, max_depth=limit)
