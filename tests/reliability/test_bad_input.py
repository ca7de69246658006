"""Bad input through the real CLI: one clear line naming the file and the reason, exit code 2,
nothing built or published, no traceback (without --debug); limits that protect memory and time
are real (measured on the child process: wall time and peak RSS from os.wait4).

Valid reports with hostile file names are processed normally and write nowhere else; a report
without a single number is a valid, empty-facts package with a warning.

All CLI runs of this module start together (three at a time) in one module fixture, so the
module costs about the time of its slowest runs; each test then reads its own run's result.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from . import inputs
from .support import SAFE_COMPONENT, SEED, Result, base_env, files_outside, one_line_error, run_cli

MB = inputs.MB


def _write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def _seed_with_meta(meta: str):
    def make(path: Path) -> None:
        shutil.copyfile(SEED, path)
        path.with_name(path.name + ".meta.json").write_text(meta, encoding="utf-8")
    return make


# case -> (file name, writer, what the one line must say)
BAD = {
    "empty": ("empty.txt", lambda p: _write(p, b""), r"empty"),
    "whitespace": ("blank.txt", lambda p: _write(p, b" \n\t\r\n   \n"), r"empty|whitespace"),
    "fullwidth-whitespace": ("blank-cjk.txt", lambda p: _write(p, "\u3000\u3000\n \u3000\n"), r"empty|whitespace"),
    "binary-junk": ("junk.txt", lambda p: _write(p, inputs.junk()), r"binary|not text"),
    "utf16-bom-gb18030-body": ("utf16-lie.txt", lambda p: _write(p, inputs.utf16_bom_then_gb18030()),
                               r"utf-16.*(not|decod)|encoding"),
    "utf8-bom-gb18030-body": ("utf8-lie.txt", lambda p: _write(p, inputs.utf8_bom_then_gb18030()),
                              r"utf-8.*(not|decod)|encoding"),
    "meta-json-invalid": ("with-bad-meta.txt", _seed_with_meta('{"publisher": "大庆市统计局", '),
                          r"meta\.json.*(JSON|json)"),
    "meta-json-not-object": ("with-list-meta.txt", _seed_with_meta('["year", 2022]'), r"meta\.json.*object"),
    "meta-json-year-not-a-number": ("with-bad-year.txt", _seed_with_meta('{"year": "二〇二二"}'),
                                    r"meta\.json.*year|year.*meta\.json"),
    "pdf-truncated": ("cut.pdf", lambda p: _write(p, inputs.truncated_pdf()), r"truncated|damaged"),
    "pdf-encrypted": ("locked.pdf", lambda p: _write(p, inputs.pdf(encrypt_with="secret")), r"encrypted"),
    "pdf-no-text-layer": ("scan.pdf", lambda p: _write(p, inputs.pdf(image_only=True)), r"OCR"),
    "docx-zip-bomb": ("bomb.docx", inputs.docx_bomb, r"zip bomb|over the limit"),
    "docx-lying-zip-bomb": ("lying-bomb.docx", inputs.docx_lying_bomb, r"inflat|damaged|CRC"),
    "docx-ten-million-paragraphs": ("many.docx", inputs.docx_many_paragraphs, r"paragraphs"),
    "text-200MB": ("huge.txt", lambda p: inputs.big_text(p, 200 * MB), r"REPORTPUB_MAX_BYTES"),
    "html-100MB-default-limit": ("deep-default.html", lambda p: inputs.deep_html(p), r"REPORTPUB_MAX_BYTES"),
}
# Refusals that must cost neither time nor memory: the input is never inflated or read whole.
CHEAP_REFUSALS = {"docx-zip-bomb", "docx-lying-zip-bomb", "docx-ten-million-paragraphs", "text-200MB",
                  "html-100MB-default-limit"}
REFUSAL_SECONDS, REFUSAL_RSS_MB = 60, 300  # generous time: the guarantee is "never read into memory"

HOSTILE_NAMES = [
    "my report 2022.txt",
    "北京经济技术开发区2022年度工作总结.txt",
    "..a..report...txt",
    "$(touch pwned).txt",
    "a;touch pwned-semicolon;b.txt",
    "x && touch pwned-and && y.txt",
    "it's \"quoted\" `touch pwned-backtick`.txt",
    "|touch pwned-pipe|.txt",
]
TOUCHED = {"pwned", "pwned-semicolon", "pwned-and", "pwned-backtick", "pwned-pipe"}  # what `touch` would create

NO_NUMBERS = """关于做好春季农业生产工作的通知
各区县人民政府：
为切实做好春季农业生产工作，现就有关事项通知如下。
一、提高思想认识
各地要高度重视，加强组织领导，确保各项措施落到实处。
二、强化服务保障
农业农村部门要深入田间地头，指导农民科学种田，做好农资供应和技术服务。
"""

SINGLE = BAD["meta-json-year-not-a-number"][0]  # the bad file `reportpub run` gets alone
RAISED = {"html-100MB-raised-limit": 150 * MB, "text-60MB-raised-limit": 100 * MB}


@pytest.fixture(scope="module")
def ran(tmp_path_factory, prefect_server, warm_cli):
    """Write every input, then run every CLI command of this module: the runs and the builds whose
    time and memory are measured as cold processes (two at a time), the others forked from the warm
    CLI (the same `main()` without ~2 s of imports each) meanwhile."""
    root = tmp_path_factory.mktemp("bad-input")
    bad_dir, names_dir = root / "in", root / "names"
    bad_dir.mkdir()
    names_dir.mkdir()
    for case, (name, make, _) in BAD.items():
        make(bad_dir / name)
    inputs.deep_html(root / "deep-raised.html")
    inputs.big_text(root / "big-60MB.txt", 60 * MB)
    seed = SEED.read_text(encoding="utf-8")
    for name, zone in zip(HOSTILE_NAMES, "甲乙丙丁戊己庚辛", strict=True):  # eight reports of eight zones
        (names_dir / name).write_text(seed.replace("北京经济技术开发区管委会", f"{zone}区管委会", 1), encoding="utf-8")
    (root / "no-numbers.txt").write_text(NO_NUMBERS, encoding="utf-8")
    env = base_env(root)

    jobs = {}
    for case, (name, _, _) in BAD.items():
        jobs[("build", case)] = (["build", f"in/{name}", "-o", f"out/{case}"], root, env)
    jobs[("build", "html-100MB-raised-limit")] = (["build", "deep-raised.html", "-o", "out/deep-raised"], root,
                                                  dict(env, REPORTPUB_MAX_BYTES=str(RAISED["html-100MB-raised-limit"])))
    jobs[("build", "text-60MB-raised-limit")] = (["build", "big-60MB.txt", "-o", "out/big-60MB"], root,
                                                 dict(env, REPORTPUB_MAX_BYTES=str(RAISED["text-60MB-raised-limit"])))
    # Two `run`s: one batch holding every small bad file and the valid reports with hostile names, on
    # the session's Prefect server (as an operator with a server runs it); and one run of a single bad
    # file without PREFECT_API_URL, which starts a temporary server of its own (~30 s of CPU) as a new
    # user's first `run` does: the suite's one run of that default path.
    small = [name for case, (name, _, _) in BAD.items() if case not in CHEAP_REFUSALS]
    batch_root = root / "run-batch"
    shutil.copytree(names_dir, batch_root / "reports")
    for name in small:
        shutil.copy2(bad_dir / name, batch_root / "reports" / name)
        meta = bad_dir / f"{name}.meta.json"
        if meta.exists():
            shutil.copy2(meta, batch_root / "reports" / meta.name)
    jobs[("run", "batch")] = (["run", "reports", "--portal", "portal", "--work-dir", "work"], batch_root,
                              base_env(batch_root, PREFECT_API_URL=prefect_server.url))
    single_root = root / "run-single"
    single_root.mkdir()
    shutil.copy2(bad_dir / SINGLE, single_root / SINGLE)
    shutil.copy2(bad_dir / f"{SINGLE}.meta.json", single_root / f"{SINGLE}.meta.json")
    jobs[("run", "single")] = (["run", SINGLE, "--portal", "portal", "--work-dir", "work"], single_root,
                               base_env(single_root))
    jobs[("build", "names")] = (["build", *[f"names/{name}" for name in HOSTILE_NAMES], "-o", "names-out"], root, env)
    # the year is given: a notice that states none is blocked by reports.time_frame (tests/test_meaning.py)
    jobs[("build", "no-numbers")] = (["build", "no-numbers.txt", "-o", "out/no-numbers", "--year", "2026"], root, env)

    measured = [key for key in jobs if key[0] == "run" or key[1] in CHEAP_REFUSALS or key[1] in RAISED]
    # the slow ones first, so that the pool ends with short jobs
    measured.sort(key=lambda k: (k[0] != "run", "raised" not in k[1]))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(run_cli, jobs[key][0], cwd=jobs[key][1], env=jobs[key][2]) for key in measured}
        results = warm_cli.run_all({key: job for key, job in jobs.items() if key not in futures}, parallel=2)
        results.update({key: f.result() for key, f in futures.items()})
    results[("validate", "no-numbers")] = warm_cli.run(["validate", "out/no-numbers"], cwd=root, env=env)
    yield root, results
    for big in (bad_dir / "huge.txt", bad_dir / "deep-default.html", root / "deep-raised.html", root / "big-60MB.txt"):
        big.unlink(missing_ok=True)
    shutil.rmtree(root / "out", ignore_errors=True)


# --- one bad file at a time: `reportpub build FILE -o OUT` -------------------------------------------

@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_one_line_naming_file_and_reason(ran, case):
    root, results = ran
    name, _, reason = BAD[case]
    result: Result = results[("build", case)]
    assert result.code == 2, f"{case}: expected exit 2 (bad input)\n{result}"
    line = one_line_error(result)
    assert name in line, f"{case}: the message does not name the file {name!r}: {line}"
    assert re.search(reason, line, re.I), f"{case}: the message does not say why ({reason}): {line}"
    assert not (root / "out" / case).exists(), f"{case}: a package was written although the input was refused"
    assert not list((root / "out").glob(".build-*")), "a half-built package was left behind"


@pytest.mark.parametrize("case", sorted(CHEAP_REFUSALS))
def test_oversized_input_is_refused_fast_without_reading_it_into_memory(ran, case):
    result = ran[1][("build", case)]
    assert result.code == 2, str(result)
    assert result.seconds < REFUSAL_SECONDS, f"{case}: refusing took {result.seconds:.1f}s\n{result}"
    assert result.maxrss_mb < REFUSAL_RSS_MB, f"{case}: refusing used {result.maxrss_mb:.0f} MB of memory\n{result}"


def test_debug_shows_the_traceback_that_is_hidden_otherwise(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run_cli(["--debug", "build", "empty.txt", "-o", "out"], cwd=tmp_path, env=base_env(tmp_path))
    assert result.code != 0 and "Traceback" in result.err and "IngestError" in result.err, str(result)


# --- the same files through `reportpub run` (the Prefect flow) ----------------------------------------

def test_run_of_one_bad_file_exits_2_with_one_line_and_publishes_nothing(ran):
    root, results = ran
    result = results[("run", "single")]
    assert "Traceback" not in result.err + result.out, f"a traceback without --debug\n{result}"
    assert result.code == 2, str(result)
    lines = [ln for ln in (result.err + result.out).splitlines() if SINGLE in ln]
    assert len(lines) == 1 and re.search(BAD["meta-json-year-not-a-number"][2], lines[0]), str(result)
    assert not (root / "run-single" / "portal" / "datasets").exists(), "a bad report reached the portal"


def test_run_of_a_batch_names_each_bad_file_once_and_publishes_none_of_them(ran):
    """The batch holds the small bad files and the valid reports with hostile names: exit 1 (some
    reports failed), each bad file on exactly one line with its reason, none of them in the portal."""
    root, results = ran
    result = results[("run", "batch")]
    assert result.code == 1, f"a batch with failed reports exits 1\n{result}"
    assert "Traceback" not in result.err + result.out, str(result)
    text = result.err + result.out
    for case, (name, _, reason) in BAD.items():
        if case in CHEAP_REFUSALS:
            continue
        lines = [ln for ln in text.splitlines() if f"reports/{name}" in ln]
        assert len(lines) == 1, f"{case}: {name} should be named on exactly one line\n{result}"
        assert re.search(reason, lines[0], re.I), f"{case}: no reason ({reason}) in: {lines[0]}"
    published = sorted(p.name for p in (root / "run-batch" / "portal" / "datasets").iterdir())
    assert len(published) == len(HOSTILE_NAMES), f"only the valid reports are published: {published}"


# --- limits that can be raised ------------------------------------------------------------------------

def test_html_with_scripts_and_100MB_of_nesting_is_read_in_bounded_time_and_memory(ran):
    """Default limit: refused (see above). Limit raised: read in under 60 s and 1.5 GB, scripts at
    every depth dropped, the paragraph at the bottom of the nesting kept."""
    root, results = ran
    result = results[("build", "html-100MB-raised-limit")]
    assert result.seconds < 180 and result.maxrss_mb < 1536, \
        f"100 MB of nested HTML took {result.seconds:.1f}s / {result.maxrss_mb:.0f} MB\n{result}"
    if result.code == 2:  # a limit of the reader is an acceptable answer, if it says so in one line
        assert re.search(r"limit|deep|nest", one_line_error(result), re.I), str(result)
        return
    assert result.code == 0, str(result)
    data = root / "out" / "deep-raised" / "data"
    every_csv = "".join(p.read_text(encoding="utf-8") for p in data.glob("*.csv"))
    assert "pwned" not in every_csv and "document.write" not in every_csv and "alert(" not in every_csv
    assert re.sub(r"\s", "", inputs.DEEP_MARKER) in re.sub(r"\s", "", (data / "paragraphs.csv").read_text("utf-8"))


def test_200MB_text_is_refused_by_default_naming_REPORTPUB_MAX_BYTES(ran):
    result = ran[1][("build", "text-200MB")]
    line = one_line_error(result)
    assert result.code == 2 and "REPORTPUB_MAX_BYTES" in line and "huge.txt" in line, str(result)


def test_60MB_text_with_a_raised_limit_is_processed_in_bounded_memory(ran):
    """Peak RSS of the whole build must stay under 1 GiB, about 16 times the 60 MB input: the bytes,
    the decoded text, the paragraph texts, the Arrow tables and the CSV text fit in that several
    times over; an input the operator allowed must not need memory in proportion of tens of times."""
    root, results = ran
    result = results[("build", "text-60MB-raised-limit")]
    assert result.code == 0, str(result)
    assert result.seconds < 300, f"60 MB took {result.seconds:.0f}s"
    assert result.maxrss_mb < 1024, (f"a 60 MB report (REPORTPUB_MAX_BYTES raised) peaked at "
                                     f"{result.maxrss_mb:.0f} MB RSS, over the 1 GiB bound\n{result}")
    with open(root / "out" / "big-60MB" / "data" / "reports.csv", encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert int(row["char_count"]) > 20_000_000


# --- valid reports with hostile names -----------------------------------------------------------------

def test_hostile_file_names_are_normal_reports_for_build(ran):
    root, results = ran
    result = results[("build", "names")]
    assert result.code == 0, str(result)
    out = root / "names-out"
    with open(out / "data" / "reports.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["source_file"] for r in rows) == sorted(HOSTILE_NAMES), "file names are kept as data"
    for r in rows:
        assert SAFE_COMPONENT.fullmatch(r["report_id"]) and ".." not in r["report_id"], r["report_id"]


def test_hostile_file_names_run_normally_and_write_only_to_work_and_portal(ran):
    root, results = ran
    result = results[("run", "batch")]
    sandbox = root / "run-batch"
    assert result.code in (0, 1), ("the batch (bad files and these valid reports) crashed, so the valid reports "
                                   f"could not be judged: see the batch test\n{result}")
    for name in HOSTILE_NAMES:
        lines = [ln for ln in (result.out + result.err).splitlines() if f"reports/{name}" in ln]
        assert lines and lines[0].startswith("published"), f"{name} was not published normally\n{result}"
    datasets = sorted(p.name for p in (sandbox / "portal" / "datasets").iterdir())
    assert len(datasets) == len(HOSTILE_NAMES), f"one dataset per report: {datasets}\n{result}"
    for folder in [*datasets, *(p.name for p in (sandbox / "work").iterdir())]:
        assert SAFE_COMPONENT.fullmatch(folder) and ".." not in folder, f"unsafe folder name {folder!r}"
    allowed = [sandbox / d for d in ("reports", "portal", "work", "quarantine", ".prefect", ".tmp")]
    assert files_outside(sandbox, allowed) == []
    touched = [p for p in root.rglob("*") if p.name in TOUCHED]
    touched += [p for where in (Path.cwd(), Path.home(), Path("/tmp"), Path(__file__).parents[2])
                for p in where.glob("pwned*") if p.name in TOUCHED]
    assert touched == [], f"a shell command hidden in a file name ran: {touched}"


# --- a report without a single number ------------------------------------------------------------------

def test_a_report_without_numbers_is_valid_with_empty_facts_and_a_warning(ran):
    root, results = ran
    built, validated = results[("build", "no-numbers")], results[("validate", "no-numbers")]
    assert built.code == 0, str(built)
    assert validated.code == 0, f"no numbers is not invalid\n{validated}"
    pkg = root / "out" / "no-numbers"
    assert (pkg / "data" / "facts.csv").read_text(encoding="utf-8").count("\n") == 1, "only the header row"
    report = json.loads((pkg / "validation.json").read_text(encoding="utf-8"))
    assert report["valid"] is True
    warned = [f for f in report["findings"] if f["check"] == "reports.have_paragraphs_and_facts"]
    assert warned and all(f["severity"] == "warning" for f in warned), report["findings"]
    assert "reports.have_paragraphs_and_facts" in validated.out + validated.err
