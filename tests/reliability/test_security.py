"""Security: the CKAN token never leaks; names and titles from reports never steer a write outside the
output and portal folders; CSV cells from report text cannot run as spreadsheet formulas; report
text shows escaped in the validation page and the portal."""

from __future__ import annotations

import csv
import json
import logging
import shutil
import threading
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from .support import SAFE_COMPONENT, SEED, base_env, files_outside, run_cli, sha256

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the CKAN token ----------------------------------------------------------------------------------

class _Mirror:
    """A wrong URL that answers: every request gets `status` and a body that repeats the API key it was
    sent (after `pad` characters), then all request headers, as a misconfigured server or a
    debugging proxy does."""

    def __init__(self, status: int, pad: int = 0):
        self.pad = pad
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                key = self.headers.get("X-CKAN-API-Key") or self.headers.get("Authorization") or ""
                body = ("." * mirror.pad + f" invalid API key {key} " + str(dict(self.headers.items()))).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _leaks(text: str, token: str, window: int = 12) -> list[str]:
    """Pieces of the token's secret part (after the standard JWT header) found in text."""
    secret = token[40:] if token.startswith("eyJ") else token
    return sorted({secret[i:i + window] for i in range(len(secret) - window + 1) if secret[i:i + window] in text})


def test_the_ckan_token_never_appears_in_output_logs_files_or_exceptions(ckan_env, variants, tmp_path, caplog):
    """A publish that works, a URL where nothing listens, and a wrong URL that answers 500 or 400
    with the key it was sent: no piece of the token in stdout, stderr, logs, exceptions and
    tracebacks, or any file the runs wrote (the error text is cut at 300 characters: the cut
    must not leave a piece of the token behind)."""
    from reportpub.ckan import publish_ckan

    token = ckan_env["CKAN_API_TOKEN"]
    assert len(token) >= 40
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    packages = {}
    for key in ("ok", "refused", "mirror500", "mirror400"):
        packages[key] = sandbox / f"pkg-{key}"
        shutil.copytree(variants[0], packages[key])
    mirrors = {"mirror500": _Mirror(500), "mirror400": _Mirror(400)}
    caplog.set_level(logging.DEBUG)
    raised, worst = [], (0, 0)
    try:
        # in-process, with the key at every place around the 300-character cut of error messages
        for pad in range(0, 330, 15):
            for mirror in mirrors.values():
                mirror.pad = pad
                with pytest.raises(Exception) as info:
                    publish_ckan(packages["ok"], url=mirror.url, org=ckan_env["CKAN_ORG"], token=token,
                                 retry_delays=(0, 0, 0))
                raised.append(info.value)
                found = len(_leaks("".join(traceback.format_exception(info.value)), token, 1))
                worst = max(worst, (found, pad))
        for mirror in mirrors.values():
            mirror.pad = worst[1]
        name = f"rp-rel-tok-{uuid.uuid4().hex[:8]}"
        env = base_env(sandbox, CKAN_API_TOKEN=token)
        runs = {
            "ok": ["publish-ckan", packages["ok"], "--url", ckan_env["CKAN_URL"], "--org", ckan_env["CKAN_ORG"],
                   "--name", name],
            "refused": ["publish-ckan", packages["refused"], "--url", f"http://127.0.0.1:{_closed_port()}",
                        "--org", ckan_env["CKAN_ORG"]],
            "mirror500": ["--debug", "publish-ckan", packages["mirror500"], "--url", mirrors["mirror500"].url,
                          "--org", ckan_env["CKAN_ORG"]],
            "mirror400": ["publish-ckan", packages["mirror400"], "--url", mirrors["mirror400"].url,
                          "--org", ckan_env["CKAN_ORG"]],
        }
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = dict(zip(runs, pool.map(lambda argv: run_cli(argv, cwd=sandbox, env=env), runs.values())))
    finally:
        for m in mirrors.values():
            m.close()
    assert results["ok"].code == 0, str(results["ok"])
    assert results["refused"].code == 3, str(results["refused"])
    assert results["mirror500"].code == 3, str(results["mirror500"])
    assert results["mirror400"].code == 2, str(results["mirror400"])
    for key, result in results.items():
        assert _leaks(result.out + result.err, token) == [], \
            f"a piece of the token is in the output of {key}:\n{result}"
    for exc in raised:
        text = "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.args)
        assert _leaks(text, token) == [], f"a piece of the token is in a {type(exc).__name__}: {exc}"
    assert _leaks(caplog.text, token) == [], "a piece of the token is in a log record"
    for path in sandbox.rglob("*"):
        if path.is_file():
            assert _leaks(path.read_bytes().decode("utf-8", "replace"), token) == [], f"the token is in {path}"


# --- names and titles that try to leave the output folders -----------------------------------------

HOSTILE = {
    "report_id ../../ relative": {"report_id": "../../escaped"},
    "report_id climbing into a sibling": {"report_id": "../../../../victim"},
    "report_id absolute path": {"report_id": "{victim}"},
    "report_id ..": {"report_id": ".."},
    "report_id very long": {"report_id": "x" * 300},
    "report_id weird unicode": {"report_id": "\u202e\u200b报告／..／..／etc\u0301\ufeff"},
    "title and publisher like paths": {"title": "../../etc/x", "publisher": "/etc/passwd"},
    "weird unicode file name": {"file": "\u202egnp.exe\u200b𝕽𝖊𝖕𝖔𝖗𝖙 e\u0301\u0301 ﬁ.txt"},
    "very long file name": {"file": "报" * 80 + ".txt"},
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_names_and_titles_from_a_report_never_write_outside_the_work_and_portal_folders(tmp_path, case):
    """What the batch flow runs for each report (pipeline.process_report): the package goes to
    WORK/<report id>, the release to PORTAL/datasets/<name>. A report id or title from REPORT.meta.json,
    or a file name, must not steer a write (or a delete) anywhere else."""
    from reportpub.pipeline import ReportOutcome, process_report

    spec = dict(HOSTILE[case])
    sandbox = tmp_path / "sandbox"
    reports, base = sandbox / "reports", sandbox / "deep" / "a" / "b"
    victim = sandbox / "victim"
    for d in (reports, base, victim):
        d.mkdir(parents=True)
    (victim / "important.txt").write_text("keep me", encoding="utf-8")
    report = reports / spec.pop("file", SEED.name)
    shutil.copyfile(SEED, report)
    if spec:
        meta = {k: v.format(victim=victim) for k, v in spec.items()}
        report.with_name(report.name + ".meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    allowed = [reports, base / "work", base / "portal", base / "quarantine"]
    before = _outside(sandbox, allowed)
    try:
        outcome = process_report(report, base / "portal", base / "work")
    except Exception as exc:  # the batch contract: failures are outcomes, never exceptions
        pytest.fail(f"{case}: process_report raised {type(exc).__name__}: {exc}")
    assert isinstance(outcome, ReportOutcome)
    kept = victim / "important.txt"
    assert kept.is_file() and kept.read_text(encoding="utf-8") == "keep me", f"{case}: the folder beside was replaced"
    after = _outside(sandbox, allowed)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed == [], f"{case}: written or deleted outside the work and portal folders: {changed}\n{outcome}"
    for folder in ("work", "portal/datasets", "quarantine"):
        for child in (base / folder).iterdir() if (base / folder).is_dir() else ():
            assert SAFE_COMPONENT.fullmatch(child.name) and ".." not in child.name, f"unsafe name {child.name!r}"


def test_two_different_reports_with_chinese_names_become_two_datasets(tmp_path):
    """Chinese file names are normal (most reports have one): two different reports of one year (of two
    regions) must not become two releases of one dataset (an ASCII slug of the file name would be `2022`)."""
    from reportpub.pipeline import process_report

    from .support import variant_text

    names = ["北京市2022年政府工作报告.txt", "上海市2022年政府工作报告.txt"]
    for k, name in enumerate(names):  # each report names its own region
        (tmp_path / name).write_text(variant_text(k).replace("北京经济技术开发区", name[:3] + "经济技术开发区", 1),
                                     encoding="utf-8")
    outcomes = [process_report(tmp_path / name, tmp_path / "portal", tmp_path / "work") for name in names]
    assert [o.status for o in outcomes] == ["published", "published"], [o.message for o in outcomes]
    assert outcomes[0].dataset != outcomes[1].dataset, \
        f"both reports were published as dataset {outcomes[0].dataset!r} (versions {[o.version for o in outcomes]})"


def _outside(root: Path, allowed: list[Path]) -> dict[str, str]:
    """Files under root but not under `allowed` -> sha256 (what must not change)."""
    return {p: sha256(Path(p)) for p in files_outside(root, allowed)}


# --- spreadsheet formulas in CSV ------------------------------------------------------------------------

FORMULA_REPORT = """=1+1 示范市2022年政府工作报告
@SUM(A1:A9) 示范市人民政府
一、2022年工作回顾
=HYPERLINK("http://evil.example/","点击")全市地区生产总值达到1228亿元，同比增长1.5%。
+86热线全年受理群众诉求12万件，办结率98.5%。
-工业增加值全年下降2.5%，降幅比上年收窄1.2个百分点。
@everyone 城镇新增就业2.1万人，新建学校12所。
=cmd|' /C calc'!A0 一般公共预算收入完成56.3亿元，增长-3.5%。
"""


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _types(pkg: Path) -> dict[str, dict[str, str]]:
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: {f["name"]: f["type"] for f in r["schema"]["fields"]}
            for r in descriptor["resources"] if r.get("format") == "csv"}


def _formula_cells(pkg: Path) -> list[tuple]:
    """Cells a spreadsheet would run: text starting with = + - @ (tab, CR), in a non-numeric column."""
    types = _types(pkg)
    found = []
    for table, fields in types.items():
        for i, row in enumerate(_csv_rows(pkg / "data" / f"{table}.csv")):
            for column, cell in row.items():
                if cell and cell.startswith(FORMULA_START) and fields[column] not in ("number", "integer"):
                    found.append((table, i, column, cell))
    return found


def test_formula_like_report_text_is_defused_in_csv_and_exact_in_parquet(tmp_path):
    from reportpub.pipeline import build_package

    report = tmp_path / "formula-report.txt"
    report.write_text(FORMULA_REPORT, encoding="utf-8")
    pkg = build_package([report], tmp_path / "pkg").path
    assert _formula_cells(pkg) == []
    facts = _csv_rows(pkg / "data" / "facts.csv")
    assert facts and all(isinstance(float(r["value"]), float) for r in facts), "value stays a plain number"
    assert any(float(r["value"]) < 0 for r in facts), "a negative value is written as a number, not escaped"
    types = _types(pkg)
    exact_formulas = 0
    for table, fields in types.items():
        csv_rows = _csv_rows(pkg / "data" / f"{table}.csv")
        parquet_rows = pq.read_table(pkg / "data" / f"{table}.parquet").to_pylist()
        assert len(csv_rows) == len(parquet_rows)
        for c, p in zip(csv_rows, parquet_rows):
            for column, kind in fields.items():
                if kind != "string" or p[column] is None:
                    continue
                exact = p[column]
                if exact.startswith(FORMULA_START):
                    exact_formulas += 1
                    assert c[column] == "'" + exact, (table, column, c[column], exact)
                else:
                    assert c[column] == exact, (table, column, c[column], exact)
    assert exact_formulas >= 5, "the Parquet keeps the report's exact text, formula characters included"


def test_a_report_file_name_that_looks_like_a_formula_is_defused_in_csv(tmp_path):
    """The file name is text a report's sender chooses, written to reports.source_file."""
    from reportpub.pipeline import build_package

    report = tmp_path / '=HYPERLINK("http-evil","x").txt'
    shutil.copyfile(SEED, report)
    pkg = build_package([report], tmp_path / "pkg").path
    assert _formula_cells(pkg) == [], "a cell a spreadsheet would run as a formula"


# --- <script> in a report ----------------------------------------------------------------------------

XSS_REPORT = """<script>alert("xss-title")</script>示范市2022年政府工作报告
示范市人民政府
<script>alert("xss-body")</script>全市地区生产总值同比增长9999%，<img src=x onerror=alert("xss-img")>固定资产投资增长5%。
"""
PAYLOADS = ('<script>alert("xss-', "<img src=x onerror", "</script><script")


def test_script_in_a_report_is_shown_escaped_in_the_validation_page_and_the_portal(tmp_path):
    from reportpub.pipeline import build_package
    from reportpub.publish import publish
    from reportpub.validate import validate, write_reports

    report = tmp_path / "xss-report.txt"
    report.write_text(XSS_REPORT, encoding="utf-8")
    pkg = build_package([report], tmp_path / "pkg").path
    _, html_path = write_reports(validate(pkg), pkg)
    page = html_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;xss-body&quot;)" in page, "the report's text is shown (escaped)"
    assert "<script" not in page.lower() and "<img" not in page.lower(), "raw markup from the report"
    publish(pkg, tmp_path / "portal")
    pages = [p for p in (tmp_path / "portal").rglob("*.html")]
    assert len(pages) >= 3
    for p in pages:
        text = p.read_text(encoding="utf-8")
        for payload in PAYLOADS:
            assert payload not in text, f"{p.relative_to(tmp_path)} holds raw {payload!r}"
