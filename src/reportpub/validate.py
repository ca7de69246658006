"""Validate: package directory -> ValidationReport (findings of every check, and the gate decision).

Which checks block publication is data (validation/policy.yaml), the business rules are data
(validation/suites/*.json), and bad data never raises: every problem, an unreadable descriptor
included, becomes a Finding. Only a broken policy or suite raises (PolicyError), because then no
verdict can be trusted. The check modules (pyarrow, pandas, Frictionless, Great Expectations) are
imported when validate() runs, not when this module is imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import contract
from .checks.base import PolicyError, Unavailable

__all__ = ["CheckResult", "Finding", "HeadlineLexicon", "Policy", "PolicyError", "ValidationReport",
           "load_policy", "validate", "validate_many", "write_reports"]

SEVERITIES = ("error", "warning")
_POLICY_KEYS = {"checks", "suites", "headline_indicators", "release_diff", "approval", "meaning"}


@dataclass(frozen=True)
class Finding:
    """One problem found by one check; `rows` are at most 20 offending rows (JSON-safe dicts)."""

    check: str
    severity: str  # error | warning
    message: str
    resource: str | None = None
    rows: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        return {"check": self.check, "severity": self.severity, "message": self.message,
                "resource": self.resource, "rows": [dict(r) for r in self.rows]}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check: passed, warning, failed, or skipped (the descriptor was unreadable)."""

    name: str
    severity: str
    status: str
    findings: int
    description: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "severity": self.severity, "status": self.status, "findings": self.findings,
                "description": self.description}


@dataclass(frozen=True)
class ValidationReport:
    package_dir: Path
    findings: tuple[Finding, ...]
    checks: tuple[CheckResult, ...]
    valid: bool
    decision: str  # publish | block
    release_diff: dict | None = None  # against the latest published release, when there is one
    previous_release: str | None = None  # the folder of that release, as it was when checked

    @classmethod
    def from_results(cls, package_dir: Path, findings: tuple[Finding, ...],
                     checks: tuple[CheckResult, ...], release_diff: dict | None = None,
                     previous_release: str | None = None) -> ValidationReport:
        valid = not any(f.severity == "error" for f in findings)
        return cls(Path(package_dir), findings, checks, valid, "publish" if valid else "block", release_diff,
                   previous_release)

    @property
    def summary(self) -> dict[str, int]:
        counts = {"passed": 0, "warnings": 0, "failed": 0, "skipped": 0}
        key = {"passed": "passed", "warning": "warnings", "failed": "failed", "skipped": "skipped"}
        for c in self.checks:
            counts[key[c.status]] += 1
        return counts

    def to_dict(self) -> dict:
        return {
            "package_dir": str(self.package_dir),
            "valid": self.valid,
            "decision": self.decision,
            "summary": self.summary,
            "checks": [c.to_dict() for c in self.checks],
            "findings": [f.to_dict() for f in self.findings],
            "release_diff": self.release_diff,
        }


@dataclass(frozen=True)
class HeadlineLexicon:
    title_markers: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    min_groups: int


@dataclass(frozen=True)
class Policy:
    path: Path
    severities: Mapping[str, str]
    suites_dir: Path
    headline: HeadlineLexicon
    max_change_share: float = 0.5
    approval: str = "none"  # none | required
    meaning: Any = None  # checks.meaning.MeaningPolicy: how far a fact may lie from its report's years

    def severity(self, check: str) -> str:
        """A check the policy does not name blocks: forgetting a rule must not let bad data through."""
        return self.severities.get(check, "error")


def load_policy(policy: str | os.PathLike | None = None) -> Policy:
    """Policy YAML -> Policy; any unknown check name, severity or key raises PolicyError."""
    from .checks import registry

    path = contract.policy(policy)  # --policy, $REPORTPUB_POLICY, the operator's folder, the shipped one
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the validation policy: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: the policy is a mapping with `checks`, `headline_indicators` and `suites`")
    if extra := sorted(set(raw) - _POLICY_KEYS):
        raise PolicyError(f"{path}: unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(_POLICY_KEYS))}")
    checks = registry()
    severities = raw.get("checks") or {}
    if not isinstance(severities, dict):
        raise PolicyError(f"{path}: `checks` maps check names to error or warning")
    if unknown := sorted(str(k) for k in severities if k not in checks):
        raise PolicyError(f"{path}: unknown check name(s) in `checks`: {', '.join(unknown)}. "
                          f"Known checks: {', '.join(checks)}")
    if bad := sorted(f"{k}: {v!r}" for k, v in severities.items() if v not in SEVERITIES):
        raise PolicyError(f"{path}: a severity is 'error' or 'warning', not {'; '.join(bad)}")
    suites = raw.get("suites")
    suites_dir = contract.suites(path, suites)
    _check_suites(suites_dir)
    diff_settings = raw.get("release_diff") or {}
    share = diff_settings.get("max_change_share", 0.5) if isinstance(diff_settings, dict) else None
    if not isinstance(share, (int, float)) or isinstance(share, bool) or share < 0:
        raise PolicyError(f"{path}: release_diff.max_change_share is a number ≥ 0 (0.5 = 50 %)")
    approval = raw.get("approval", "none")
    if approval not in ("none", "required"):
        raise PolicyError(f"{path}: approval is 'none' or 'required', not {approval!r}")
    from .checks.meaning import meaning_policy

    return Policy(path, dict(severities), suites_dir, _headline(path, raw.get("headline_indicators")),
                  float(share), approval, meaning_policy(path, raw.get("meaning")))


def _check_suites(suites_dir: Path) -> None:
    """Each suite's expectations name checks of its own resource, and each such check has some."""
    from .checks import registry
    from .checks.expectations import PARAMETERS, read_suite, referenced_parameters

    checks = registry()
    for resource in sorted({c.suite for c in checks.values() if c.suite}):
        path = suites_dir / f"{resource}.json"
        spec = read_suite(path)
        tagged = {e["meta"]["check"] for e in spec["expectations"]}
        owned = {c.name for c in checks.values() if c.suite == resource}
        if stray := sorted(tagged - owned):
            raise PolicyError(f"{path}: meta.check names no check of {resource}: {', '.join(stray)}; "
                              f"checks of {resource}: {', '.join(sorted(owned))}")
        if empty := sorted(owned - tagged):
            raise PolicyError(f"{path}: no expectation implements {', '.join(empty)}")
        if unknown := sorted(referenced_parameters(spec["expectations"]) - set(PARAMETERS)):
            raise PolicyError(f"{path}: unknown $PARAMETER {', '.join(unknown)}; known: {', '.join(PARAMETERS)}")


def _headline(path: Path, raw: Any) -> HeadlineLexicon:
    def words(value: Any, what: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
            raise PolicyError(f"{path}: headline_indicators.{what} is a non-empty list of words")
        return tuple(value)

    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: `headline_indicators` (title_markers, groups, min_groups) is missing")
    groups = raw.get("groups")
    if not isinstance(groups, dict) or not groups:
        raise PolicyError(f"{path}: headline_indicators.groups maps a group name to its words")
    parsed = tuple((str(name), words(ws, f"groups.{name}")) for name, ws in groups.items())
    min_groups = raw.get("min_groups", 1)
    if not isinstance(min_groups, int) or not 1 <= min_groups <= len(parsed):
        raise PolicyError(f"{path}: headline_indicators.min_groups is a whole number from 1 to {len(parsed)}")
    return HeadlineLexicon(words(raw.get("title_markers"), "title_markers"), parsed, min_groups)


def validate(package_dir: str | os.PathLike, *, policy: str | os.PathLike | None = None,
             previous: str | os.PathLike | None = None) -> ValidationReport:
    """Package directory (and the latest published release, if any) -> ValidationReport.

    Runs every check; the policy sets each one's severity."""
    return validate_many([(package_dir, previous)], policy=policy)[0]


def validate_many(packages: list[tuple[str | os.PathLike, str | os.PathLike | None]], *,
                  policy: str | os.PathLike | None = None) -> list[ValidationReport]:
    """[(package directory, latest published release or None)] -> one ValidationReport each.

    Each report is what `validate` gives for that package alone; the expectation suites run once
    over the rows of all the packages together, because a suite run costs mostly set-up."""
    from .checks.data import PackageData
    from .checks.expectations import run_suites_together

    pol = load_policy(policy)
    datas = [PackageData(Path(d), pol, prev) for d, prev in packages]
    if len(datas) > 1:
        run_suites_together(datas)
    return [_validate_data(data, prev) for data, (_, prev) in zip(datas, packages, strict=True)]


def _validate_data(data, previous) -> ValidationReport:
    """PackageData -> its ValidationReport: every check, in registry order."""
    from .checks import registry

    pol, package_dir = data.policy, data.directory
    findings: list[Finding] = []
    results: list[CheckResult] = []
    readable = True
    for check in registry().values():
        severity = pol.severity(check.name)
        if not readable:
            results.append(CheckResult(check.name, severity, "skipped", 0, check.description))
            continue
        found = [Finding(check.name, severity, p.message, p.resource, p.rows) for p in _run(check, data)]
        findings += found
        status = "passed" if not found else ("failed" if severity == "error" else "warning")
        results.append(CheckResult(check.name, severity, status, len(found), check.description))
        if check.name == "package.readable" and found:
            readable = False
    return ValidationReport.from_results(Path(package_dir), tuple(findings), tuple(results),
                                         _release_diff(data) if readable else None,
                                         str(previous) if previous else None)


def _release_diff(data) -> dict | None:
    if data.previous is None:
        return None
    from .diff import diff_packages

    try:
        diff = data.memo("release_diff", lambda: diff_packages(data.previous, data.directory,
                                                               max_change_share=data.policy.max_change_share))
    except Exception as exc:  # an unreadable package was already reported by the structure checks
        return {"error": f"{type(exc).__name__}: {exc}"}
    return diff.to_dict()


def _run(check, data) -> list:
    """One check -> its Problems; data it cannot read, or a crash on odd data, is a Problem too."""
    from .checks.base import Problem
    from .errors import ReportpubError

    try:
        return list(check.run(data))
    except Unavailable as exc:
        return [Problem(f"not checked: {exc}", exc.resource)]
    except ReportpubError:
        raise
    except Exception as exc:  # bad data must never crash validation
        return [Problem(f"the check could not finish: {type(exc).__name__}: {exc}")]


def write_reports(report: ValidationReport, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """ValidationReport -> (validation.json, validation.html) in out_dir."""
    from .files import write_atomic
    from .report_html import render

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "validation.json", out / "validation.html"
    # replaced, never written through: a link planted in the package must not aim the report elsewhere;
    # not forced to disk, like the package files beside them: a re-run makes them again
    write_atomic(json_path, json.dumps(report.to_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n",
                 durable=False)
    write_atomic(html_path, render(report), durable=False)
    return json_path, html_path
