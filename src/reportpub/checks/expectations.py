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
from .derived import FRAMES, arrow_frame, display_rows


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


@functools.lru_cache(maxsize=32)
def _loaded_batch_suite(path: Path, mtime_ns: int):
    """The suite as it runs over several packages' rows: a uniqueness rule also keys on `_package`,
    so two packages never collide; None when a rule's verdict on a row depends on rows of other
    packages in a way that cannot be separated (then each package runs the suite alone)."""
    spec, _ = _loaded_suite(path, mtime_ns)
    batch_spec = json.loads(json.dumps(spec))
    for exp in batch_spec["expectations"]:
        condition = exp["kwargs"].get("row_condition")
        if "mostly" in exp["kwargs"] or (condition is not None and not isinstance(condition, str)):
            return None
        if exp["type"] in PACKAGE_KEYED:
            if exp["kwargs"].get("ignore_row_if", "all_values_are_missing") not in (
                    "all_values_are_missing", "any_value_is_missing"):
                return None
            exp["kwargs"]["column_list"] = [*exp["kwargs"]["column_list"], PACKAGE_COLUMN]
        elif exp["type"] not in ROW_LOCAL:
            return None
    return batch_spec, _gx_suite(batch_spec, path)


# Expectation types whose verdict on a row depends on that row alone: one run over the rows of
# many packages gives each package the verdicts it would get alone.
ROW_LOCAL = frozenset({
    "expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between", "expect_column_values_to_be_null", "expect_column_values_to_not_be_null",
    "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
    "expect_column_value_lengths_to_be_between", "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal",
})
# Types that compare rows with each other: keyed by the package as well, they stay within one.
PACKAGE_KEYED = frozenset({"expect_compound_columns_to_be_unique"})
PACKAGE_COLUMN = "_package"


def run_suites_together(datas: list[PackageData]) -> None:
    """Packages -> each one's suite outcomes (as `suite_outcomes` returns them), from one GX run per
    suite over the rows of all of them.

    GX spends most of a run on set-up that does not depend on the number of rows (a validation
    graph per expectation), so one run over a batch costs about what one package alone did. The
    outcomes are split back per package by row position and must add up to GX's totals; packages
    whose frames differ in columns or types, or whose suite parameters differ, run apart, and a
    package whose frame cannot be built, or a run that GX cannot finish, is left to its own run
    (which reports the problem exactly as before)."""
    from . import registry

    for resource in sorted({c.suite for c in registry().values() if c.suite}):
        path = datas[0].policy.suites_dir / f"{resource}.json" if datas else None
        if path is None or not path.is_file():
            continue
        loaded = _loaded_batch_suite(path, path.stat().st_mtime_ns)
        if loaded is None:
            continue
        groups: dict[tuple, list] = defaultdict(list)
        referenced = referenced_parameters(loaded[0]["expectations"])
        for data in datas:
            if data.known(("suite", resource)):
                continue
            try:
                table = arrow_frame(data, resource)
                parameters = {name: PARAMETERS[name](data) for name in referenced}
            except Exception:  # its own run reports why, as before
                continue
            shape = (str(table.schema), json.dumps(parameters, sort_keys=True, default=str))
            groups[shape].append((data, table, parameters))
        for members in groups.values():
            if len(members) > 1:
                _run_together(resource, path, loaded, members)


class _Apart(Exception):
    """The joint run cannot be split back exactly: each package runs its suite alone."""


def _run_together(resource: str, path: Path, loaded, members: list) -> None:
    import numpy as np
    import pyarrow as pa

    spec, suite = loaded
    tables = [table for _, table, _ in members]
    sizes = np.array([t.num_rows for t in tables], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    owner = np.repeat(np.arange(len(members)), sizes)
    # Only the columns some rule reads: GX copies every column of the frame for each filtered rule;
    # one chunk per column: pandas' take over Arrow strings is slow over many chunks.
    names = tables[0].column_names
    wanted = [c for c in names if c in _read_columns(spec, names)]
    try:
        combined = pa.concat_tables([t.select(wanted) for t in tables]).combine_chunks().to_pandas()
    except (pa.ArrowException, ValueError):  # each package's own run tells
        return
    keyed = [e for e in spec["expectations"] if e["type"] in PACKAGE_KEYED]
    if keyed:
        package = owner.astype(float)
        for exp in keyed:  # a row GX ignores (all key values missing) stays ignorable
            keys = [c for c in exp["kwargs"]["column_list"] if c != PACKAGE_COLUMN]
            if all(k in combined.columns for k in keys):
                package[combined[keys].isna().all(axis=1).to_numpy()] = np.nan
        combined[PACKAGE_COLUMN] = package
    try:
        with _GX_LOCK:
            batch = _batch_definition().get_batch(batch_parameters={"dataframe": combined})
            result = batch.validate(suite, expectation_parameters=members[0][2],
                                    result_format={"result_format": "COMPLETE"})
        split = [_split(r, combined, owner, starts, len(members)) for r in result.results]
    except Exception:  # _Apart, or odd data GX cannot digest: each package's own run tells
        return
    rules = [_rule(r.expectation_config) for r in result.results]  # what every package's outcome shares
    for number, (data, _, _) in enumerate(members):
        outcomes: dict[str, list[Outcome]] = defaultdict(list)
        for rule, per_package in zip(rules, split, strict=True):
            unexpected, total, index = per_package[number]
            outcomes[rule["check"]].append(Outcome(**rule, success=unexpected == 0, unexpected=unexpected,
                                                   total=total, index=index[:MAX_ROWS], error=None))
        frame = functools.partial(FRAMES[resource], data)  # made only to show a failing rule's rows
        data.memo(("suite", resource), lambda frame=frame, outcomes=outcomes: (frame, dict(outcomes)))


def _rule(config) -> dict:
    """An expectation's configuration -> the Outcome fields that do not depend on the data."""
    meta = config.meta or {}
    kwargs = dict(config.kwargs)
    if config.type in PACKAGE_KEYED:
        kwargs["column_list"] = [c for c in kwargs["column_list"] if c != PACKAGE_COLUMN]
    return {"check": meta.get("check", ""), "type": config.type, "kwargs": kwargs,
            "description": config.description or meta.get("description") or config.type,
            "show": tuple(c for c in meta.get("show") or () if isinstance(c, str))}


def _read_columns(spec: dict, columns) -> set[str]:
    """The columns a suite's rules read: those they name, and any named in a row condition (a
    column whose name appears in the condition's text counts: a superset is safe)."""
    read: set[str] = set()
    for exp in spec["expectations"]:
        read.update(_columns(exp["kwargs"]))
        condition = exp["kwargs"].get("row_condition")
        if isinstance(condition, dict):
            condition = condition.get("pass_through_filter")
        if isinstance(condition, str):
            read.update(c for c in columns if isinstance(c, str) and c in condition)
    return read


def _split(r, combined, owner, starts, packages: int) -> list[tuple[int, int, tuple[int, ...]]]:
    """One expectation's joint result -> (unexpected, total, offending row positions) per package."""
    import numpy as np

    res = r.result or {}
    if _exception_message(r.exception_info) or "unexpected_index_list" not in res:
        raise _Apart()
    kwargs = r.expectation_config.kwargs
    condition = kwargs.get("row_condition")
    if condition:  # the rows GX counted: the same pandas query its engine runs
        if isinstance(condition, dict) and condition.get("type") == "pass_through":
            rows = combined.query(condition["pass_through_filter"]).index.to_numpy()
        elif isinstance(condition, str):
            rows = combined.query(condition, parser=kwargs.get("condition_parser") or "pandas").index.to_numpy()
        else:
            raise _Apart()
        totals = np.bincount(owner[rows], minlength=packages)
    else:
        totals = np.diff(starts)
    positions = np.array(sorted(int(i) for i in res["unexpected_index_list"]), dtype=np.int64)
    unexpected = np.bincount(owner[positions], minlength=packages) if len(positions) else np.zeros(packages, int)
    if int(totals.sum()) != int(res.get("element_count") or 0) or \
            int(unexpected.sum()) != int(res.get("unexpected_count") or 0):
        raise _Apart()
    return [(int(unexpected[p]), int(totals[p]),
             tuple(int(i) - int(starts[p]) for i in positions[owner[positions] == p]))
            for p in range(packages)]


def suite_outcomes(data: PackageData, resource: str):
    """(the suite's frame, made when called; {check name: [Outcome]}) for one resource's suite, run
    once per package."""
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
    return (lambda: frame), dict(outcomes)


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
                rows = display_rows(resource, frame(), list(outcome.index), columns)
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
