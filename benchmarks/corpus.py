"""Synthetic corpora from the seed report: numbers, subjects and section order varied, facts known.

Each generated report is the seed report with every annotated number (from its gold file) replaced
by a new value of the same shape, a few indicator words swapped for synonyms, and the body
paragraphs of each section in a new order; its gold file lists the facts it now states. So a
corpus of N reports has N × 62 known facts, and the extractor can be scored on it too.

    .venv/bin/python benchmarks/corpus.py OUT_DIR --reports 100 [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_REPORT = ROOT / "examples/reports/bda-2022-work-summary.txt"
SEED_GOLD = ROOT / "tests/fixtures/gold/bda-2022-work-summary.gold.csv"
SYNONYMS = [("企业", "公司"), ("项目", "工程"), ("急诊床位", "急救床位"), ("上市企业", "上市公司")]


def _new_number(text: str, rng: random.Random) -> str:
    """'29.8' -> another number with the same number of decimals and about the same size."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = float(text) * rng.uniform(0.5, 1.5)
    value = max(value, 10 ** -decimals if decimals else 1)
    return f"{value:.{decimals}f}"


def generate(index: int, rng: random.Random) -> tuple[str, list[dict]]:
    text = SEED_REPORT.read_text(encoding="utf-8")
    with open(SEED_GOLD, encoding="utf-8", newline="") as f:
        gold = [g for g in csv.DictReader(f) if g["required"] == "1"]
    facts = []
    for g in gold:
        number = re.match(r"[0-9.]+", g["number_text"])
        if not number:
            facts.append(g)
            continue
        new = _new_number(number.group(), rng)
        evidence = g["evidence"]
        new_evidence = evidence.replace(number.group(), new, 1)
        spaced = re.sub(r"(?<=[\u4e00-\u9fff])(?=[0-9])|(?<=[0-9])(?=[\u4e00-\u9fff])", r"\\s*", re.escape(evidence))
        text, n = re.subn(spaced.replace(re.escape(number.group()), re.escape(number.group()), 1),
                          lambda m: m.group().replace(number.group(), new, 1), text, count=1)
        if n:
            sign = -1 if g["value"].startswith("-") else 1
            facts.append({**g, "evidence": new_evidence, "number_text": g["number_text"].replace(number.group(), new, 1),
                          "value": str(sign * float(new))})
    old, new = SYNONYMS[index % len(SYNONYMS)]
    text = text.replace(old, new)
    facts = [{**g, "subject": "|".join(s.replace(old, new) for s in g["subject"].split("|")),
              "evidence": g["evidence"].replace(old, new)} for g in facts]
    title_end = text.index("\n", text.index("工作总结"))
    text = text[:title_end].replace("管委会", f"管委会（示例{index:04d}）", 1) + text[title_end:]
    return _shuffle_sections(text, rng), facts


def _shuffle_sections(text: str, rng: random.Random) -> str:
    """Body paragraphs keep their section; their order inside it changes."""
    parts = re.split(r"(\n[一二三四五六七八九十]、[^\n]*\n)", text)
    out = [parts[0]]
    for heading, body in zip(parts[1::2], parts[2::2]):
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        lead, rest = paragraphs[:1], paragraphs[1:]
        rng.shuffle(rest)
        out.append(heading + "\n" + "\n\n".join(lead + rest) + "\n")
    return "".join(out)


def write_corpus(out: Path, reports: int, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(reports):
        text, facts = generate(i, rng)
        path = out / f"synthetic-{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        with open(out / f"synthetic-{i:04d}.gold.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(facts[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(facts)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--reports", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    paths = write_corpus(args.out, args.reports, args.seed)
    print(f"{len(paths)} reports in {args.out}")


if __name__ == "__main__":
    main()
