"""`process_reports(workers=2)` publishes what one process publishes, in the same order.

Worker processes prepare rounds while the caller releases; the risk is a report prepared before its
dataset's earlier edition was released (checked against the wrong release, or skipped as unchanged
since it), or two editions built into one folder at once. So the batch here holds three editions
of one dataset in different rounds among other reports, and the portals of both runs are compared.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reportpub.pipeline import process_reports

from .conftest import REPORTS


def batch(folder: Path) -> list[Path]:
    """bda, daqing, bda changed, national, bda changed again (identical to the one before), then a
    copy of daqing, of national and of the last bda: eight reports, so that two workers take them."""
    text = (REPORTS / "bda-2022-work-summary.txt").read_text(encoding="utf-8")
    changed = text.replace("2022 年是极为重要的一年", "2022 年是极为重要的一年，全区新增企业 123 家", 1)
    assert changed != text
    files = []
    for name, source in (("1", text), ("2", None), ("3", changed), ("4", None), ("5", changed), ("6", None),
                         ("7", None), ("8", changed)):
        (folder / name).mkdir(parents=True)
        if source is None:
            src = REPORTS / ("daqing_2016h1_economy.txt" if name in "26" else "national_2023_gwr.txt")
            for extra in (src, src.with_name(src.name + ".meta.json")):
                if extra.exists():
                    shutil.copy(extra, folder / name / extra.name)
            files.append(folder / name / src.name)
        else:
            (folder / name / "bda.txt").write_text(source, encoding="utf-8")
            files.append(folder / name / "bda.txt")
    return files


def published_data(portal: Path) -> dict[str, bytes]:
    """Every released CSV and Parquet file, by its path in the portal."""
    return {str(p.relative_to(portal)): p.read_bytes() for p in sorted((portal / "datasets").rglob("data/*"))
            if p.suffix in (".csv", ".parquet") and "latest" not in p.parts}


def test_two_workers_publish_what_one_process_publishes(tmp_path):
    files = batch(tmp_path / "in")
    one = process_reports(files, tmp_path / "p1", tmp_path / "b1", batch=1, render=False)
    two = process_reports(files, tmp_path / "p2", tmp_path / "b2", batch=1, render=False, workers=2)
    assert [(o.status, o.dataset, o.version) for o in two] == [(o.status, o.dataset, o.version) for o in one]
    bda = [(o.status, o.version) for o, f in zip(two, files) if f.name == "bda.txt"]
    assert bda == [("published", "1.0.0"), ("published", "1.1.0"), ("skipped", None), ("skipped", None)], \
        [o.message for o in two]
    assert [o.status for o in two[5:7]] == ["skipped", "skipped"]
    assert published_data(tmp_path / "p2") == published_data(tmp_path / "p1")
    dataset = two[0].dataset
    history = json.loads((tmp_path / "p2/datasets" / dataset / "history.json").read_text("utf-8"))
    assert [h["version"] for h in history] == ["1.0.0", "1.1.0"]
    # the packages are where one process leaves them, the round folders gone
    assert (tmp_path / "b2" / dataset / "validation.html").is_file()
    assert sorted(p.name for p in (tmp_path / "b2").iterdir()) == sorted(p.name for p in (tmp_path / "b1").iterdir())


def test_rounds_are_of_one_size_and_each_worker_gets_as_many():
    from reportpub.pipeline import balanced_round

    # (reports, largest round, workers) -> round size: as many rounds per worker, none left short
    cases = {(1000, 128, 2): 125, (100, 128, 2): 50, (300, 128, 2): 75, (8, 128, 2): 4, (9, 4, 2): 3, (7, 128, 1): 7}
    for (reports, batch, workers), size in cases.items():
        assert balanced_round(reports, batch, workers) == size, (reports, batch, workers)
