"""Business rules as Great Expectations suites: validation/suites/<resource>.json -> Problems.

The rules and their thresholds live in the suite files (GX 1.x ExpectationSuite JSON); each
expectation names, in `meta.check`, the check it belongs to, so one suite run per resource feeds
several named checks. Great Expectations is imported on first use only: it takes seconds.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import MAX_ROWS, Check, PolicyError, Problem, Unavailable
from .data import PackageData
from .derived import FRAMES, display_rows


# Values an expectation can take from the package at run time: {"$PARAMETER": "units"}.
PARAMETERS: dict[str, Callable[[PackageData], Any]] = {
    "units": lambda data: sorted(u for u in data.table("units").column("unit").to_pylist() if u is not None),
}


@dataclass(frozen=True)
class Outcome:
    """One expectation's verdict, reduced to what a Finding needs."""

    check: str
    type: str
    kwargs: dict
    description: str
    success: bool
    unexpected: int
    total: int
    index: tuple[int, ...]
    error: str | None
    show: tuple[str, ...] = ()  # meta.show: more columns a steward needs to judge a row


def read_suite(path: Path) -> dict:
    """Suite file -> its JSON, with the shape this module relies on checked (PolicyError if not)."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicyError(f"{path}: cannot read the expectation suite: {exc}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("expectations"), list):
        raise PolicyError(f"{path}: an expectation suite is an object with a list of `expectations`")
    for number, exp in enumerate(spec["expectations"], start=1):
        if not (isinstance(exp, dict) and isinstance(exp.get("type"), str) and isinstance(exp.get("kwargs"), dict)):
            raise PolicyError(f"{path}: expectation #{number} needs a `type` and `kwargs`")
        if not isinstance((exp.get("meta") or {}).get("check"), str):
            raise PolicyError(f"{path}: expectation #{number} ({exp['type']}) has no `meta.check` naming its check")
    return spec


def referenced_parameters(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return {str(value["$PARAMETER"])}
        return set().union(*(referenced_parameters(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(referenced_parameters(v) for v in value)) if value else set()
    return set()


_GX_LOCK = threading.Lock()  # one context is shared by the process: one suite runs at a time


@functools.cache
def _batch_definition():
    """One ephemeral GX context per process, progress bars off, one pandas asset reused by every run."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas(name="reportpub").add_dataframe_asset(name="frame")
    return asset.add_batch_definition_whole_dataframe("whole")


@functools.lru_cache(maxsize=32)
def _loaded_suite(path: Path, mtime_ns: int):
    """Suite file -> (spec, GX suite), built once per version of the file: a batch validates many
    packages with the same suites, and building GX expectation objects is most of GX's cost."""
    spec = read_suite(path)
    return spec, _gx_suite(spec, path)


def _gx_suite(spec: dict, path: Path):
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for number, exp in enumerate(spec["expectations"], start=1):
        try:  # built one by one: ExpectationSuite() would log and drop a bad one silently
            config = ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp.get("meta"),
                                              description=exp.get("description"))
            expectations.append(config.to_domain_obj())
        except Exception as exc:  # GX raises several unrelated types here
            raise PolicyError(f"{path}: expectation #{number} ({exp['type']}) is not valid: "
                             f"{' '.join(str(exc).split())}") from None
    return gx.ExpectationSuite(name=str(spec.get("name") or path.stem), expectations=expectations)


def suite_outcomes(data: PackageData, resource: str):
    """(frame, {check name: [Outcome]}) for one resource's suite, run once per package."""
    return data.memo(("suite", resource), lambda: _run_suite(data, resource))


def _run_suite(data: PackageData, resource: str):
    path = data.policy.suites_dir / f"{resource}.json"
    spec, suite = _loaded_suite(path, path.stat().st_mtime_ns)
    try:
        frame = FRAMES[resource](data)
        parameters = {name: PARAMETERS[name](data) for name in referenced_parameters(spec["expectations"])}
        with _GX_LOCK:
            batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(suite, expectation_parameters=parameters,
                                    result_format={"result_format": "SUMMARY", "partial_unexpected_count": MAX_ROWS})
    except Unavailable:
        raise
    except Exception as exc:  # odd data the frame or GX cannot digest: reported once, not once per check
        raise Unavailable(f"the {resource} expectation suite could not run: {type(exc).__name__}: {exc}",
                          resource) from None
    outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for r in result.results:
        config = r.expectation_config
        meta = config.meta or {}
        res = r.result or {}
        outcomes[meta.get("check", "")].append(Outcome(
            check=meta.get("check", ""), type=config.type, kwargs=dict(config.kwargs),
            description=config.description or meta.get("description") or config.type,
            success=bool(r.success), unexpected=int(res.get("unexpected_count") or 0),
            total=int(res.get("element_count") or 0),
            index=tuple(int(i) for i in res.get("partial_unexpected_index_list") or () if hasattr(i, "__index__")),
            error=_exception_message(r.exception_info),
            show=tuple(c for c in meta.get("show") or () if isinstance(c, str)),
        ))
    return frame, dict(outcomes)


def _exception_message(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by metric; return the first message, if any."""
    if not isinstance(info, dict):
        return None
    if "raised_exception" in info:
        return (info.get("exception_message") or "raised an exception") if info.get("raised_exception") else None
    for value in info.values():
        message = _exception_message(value)
        if message:
            return message
    return None


def _columns(kwargs: dict) -> list[str]:
    """The columns an expectation looks at, to show them next to each offending row."""
    cols = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
    cols += list(kwargs.get("column_list") or [])
    return [c for c in cols if isinstance(c, str)]


def expectation_check(name: str, resource: str, description: str, zh: str = "") -> Check:
    """A named check whose rules are the expectations tagged `meta.check: name` in a suite."""
    def run(data: PackageData) -> Iterator[Problem]:
        frame, outcomes = suite_outcomes(data, resource)
        for outcome in outcomes.get(name, ()):
            if outcome.error:
                yield Problem(f"{outcome.type} could not be evaluated: {outcome.error}", resource)
            elif not outcome.success:
                columns = [*_columns(outcome.kwargs), *outcome.show]
                rows = display_rows(resource, frame, list(outcome.index), columns)
                yield Problem(f"{outcome.unexpected:,} of {outcome.total:,} {resource}: {outcome.description}",
                              resource, rows)

    run.__name__ = name.replace(".", "_")
    return Check(name, run, description, suite=resource, zh=zh)


CHECKS = (
    expectation_check("facts.provenance", "facts",
                      "each quote is the paragraph text at [char_start, char_end) and its source span lies "
                      "inside its paragraph's",
                      zh="每条引文等于段落原文 [char_start, char_end) 处的文字，且其来源位置在段落之内"),
    expectation_check("facts.unit_in_code_list", "facts", "each unit is in the units code list",
                      zh="每个单位都在单位代码表中"),
    expectation_check("facts.value_base", "facts",
                      "value_base = value × factor of the unit (relative tolerance in the suite); unit_base "
                      "is the unit's base unit",
                      zh="value_base = value × 单位换算系数（容差见校验套件）；unit_base 为该单位的基本单位"),
    expectation_check("facts.range_by_measure", "facts",
                      "values are plausible for their measure: ratios in %, changes in %, counts of things "
                      "and people",
                      zh="数值与其度量类型相符：比率与变化以 % 计，事物与人数为计数"),
    expectation_check("facts.indicator_plausible", "facts",
                      "a fact with an indicator code has a measure the indicator takes, a unit of its kind, and "
                      "a plausible value (a change in % between -50 and 100)",
                      zh="带指标代码的事实，其度量类型、单位类别与数值都与指标相符（以 % 计的变化在 -50 与 100 之间）"),
    expectation_check("facts.indicator_consistent", "facts",
                      "a report states one indicator, measure, period and status once, or with one value",
                      zh="同一报告中同一指标、度量、时期和状态只陈述一次，或只有一个数值"),
    expectation_check("facts.period_order", "facts", "period_start is on or before period_end",
                      zh="period_start 不晚于 period_end"),
    expectation_check("facts.unique_span", "facts",
                      "no two facts share (report_id, paragraph_id, char_start, char_end)",
                      zh="任何两条事实不共用 (report_id, paragraph_id, char_start, char_end)"),
    expectation_check("facts.basis_only_for_change", "facts",
                      "basis is given for changes and only for changes",
                      zh="只有变化类事实才有比较基期（basis）"),
    expectation_check("paragraphs.source_span", "paragraphs", "each paragraph spans a non-empty source range",
                      zh="每个段落在原文中占一段非空范围"),
    expectation_check("reports.have_paragraphs_and_facts", "reports", "every report has paragraphs and facts",
                      zh="每份报告都有段落和事实"),
)
