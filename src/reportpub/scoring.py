"""Vendored copy of the project's reference scorer (shared/eval/score_facts.py), unchanged but
for this note, so that `reportpub eval` prints exactly the figures the reference prints.

Score the facts of a published data package against a gold file.

Usage:
  score_facts.py PACKAGE_DIR_OR_DATAPACKAGE_JSON GOLD_CSV SOURCE_TXT [--verbose] [--json]
                 [--from=TEXT --to=TEXT]

--from/--to name the annotated region (whitespace-free text at its start and end) when the gold
covers only part of the source; predictions outside the region are ignored.

The package must hold two tabular resources (CSV) named `paragraphs` and `facts`:
  paragraphs: paragraph_id, text            (document order; any other fields allowed)
  facts:      paragraph_id, char_start, char_end, value, unit,
              subject, measure, basis, approx, period_start, period_end, status, qualifier
char_start/char_end are offsets into that paragraph's text (end exclusive) covering the
quantity (number and unit).  Gold rows are located in the whitespace-free source text.

A predicted fact matches a gold fact when their spans overlap in the whitespace-free text and
their values agree after scaling (亿, 万, ...) to a base unit.  Gold rows with required=0 are
neither rewarded nor penalised.  Attribute accuracy is reported over matched pairs, and
strict F1 counts a match only when subject, measure, basis, approx, period, status and
qualifier are all right as well.
Standard library only.
"""
import csv
import json
import math
import re
import sys
from pathlib import Path

SCALES = [("万亿", 1e12), ("百万", 1e6), ("千万", 1e7), ("亿", 1e8), ("万", 1e4), ("千", 1e3), ("百", 1e2)]
UNIT_ALIASES = {"％": "%", "percent": "%", "百分点": "pp", "个百分点": "pp", "percentage_point": "pp",
                "pp": "pp", "名": "人", "位": "人", "m²": "平方米", "平米": "平方米",
                "μg/m³": "微克/立方米", "ug/m3": "微克/立方米"}


def base(value, unit):
    """(value, unit) as written -> (value in base unit, base unit)."""
    unit = (unit or "").strip()
    unit = UNIT_ALIASES.get(unit, unit)
    mult = 1.0
    for prefix, m in SCALES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            unit, mult = unit[len(prefix):], m
            break
        if unit == prefix:  # bare scale word, e.g. "20万" with the noun elsewhere
            unit, mult = "", m
            break
    unit = UNIT_ALIASES.get(unit, unit)
    return float(value) * mult, unit


def strip(s):
    return re.sub(r"\s+", "", s)


def stripped_index(text):
    """Map each non-whitespace char of text to its index; return (stripped, positions)."""
    pos = [i for i, c in enumerate(text) if not c.isspace()]
    return "".join(text[i] for i in pos), pos


def load_package(path):
    p = Path(path)
    desc_path = p / "datapackage.json" if p.is_dir() else p
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    root = desc_path.parent
    tables = {}
    for res in desc.get("resources", []):
        name = res.get("name")
        if name not in ("facts", "paragraphs"):
            continue
        paths = res.get("path")
        paths = paths if isinstance(paths, list) else [paths]
        csv_paths = [x for x in paths if str(x).endswith(".csv")]
        if not csv_paths:
            continue
        with open(root / csv_paths[0], encoding="utf-8-sig", newline="") as f:
            if name in tables:
                continue
            tables[name] = list(csv.DictReader(f))
    for name in ("facts", "paragraphs"):
        if name not in tables:
            sys.exit(f"score_facts: no CSV resource named '{name}' in {desc_path}")
    return tables["facts"], tables["paragraphs"]


def predicted_spans(facts, paragraphs, src):
    """Place each predicted fact in the whitespace-free source; return list of (start, end, row)."""
    cursor, para_off = 0, {}
    for para in paragraphs:
        t = strip(para.get("text") or "")
        if not t:
            continue
        at = src.find(t, cursor)
        if at < 0:
            at = src.find(t)
        if at >= 0:
            para_off[str(para["paragraph_id"])] = at
            cursor = at + len(t)
    text_of = {str(p["paragraph_id"]): p.get("text") or "" for p in paragraphs}
    out, unplaced = [], []
    for row in facts:
        pid = str(row.get("paragraph_id"))
        if pid not in para_off:
            unplaced.append(row)
            continue
        text = text_of[pid]
        try:
            a, b = int(row["char_start"]), int(row["char_end"])
        except (KeyError, ValueError):
            unplaced.append(row)
            continue
        a_s = len(strip(text[:a]))
        b_s = len(strip(text[:b]))
        if b_s <= a_s:
            unplaced.append(row)
            continue
        out.append((para_off[pid] + a_s, para_off[pid] + b_s, row))
    return out, unplaced


def gold_spans(gold, src):
    out = []
    for g in gold:
        ev = strip(g["evidence"])
        at = src.find(ev)
        if at < 0 or src.count(ev) != 1:
            sys.exit(f"score_facts: gold {g['id']}: evidence not unique in source: {ev}")
        k = ev.find(strip(g["number_text"]))
        if k < 0:
            sys.exit(f"score_facts: gold {g['id']}: number_text not in evidence")
        out.append((at + k, at + k + len(strip(g["number_text"])), g))
    return out


def same_value(p, g):
    try:
        pv, pu = base(p.get("value"), p.get("unit"))
    except (TypeError, ValueError):
        return False
    gv, gu = base(g["value"], g["unit"])
    return math.isclose(pv, gv, rel_tol=1e-6, abs_tol=1e-9) and pu == gu


def norm_bool(x):
    return str(x).strip().lower() in ("true", "1", "yes")


def canon_period(s):
    """One spelling per period: a whole year is YYYY, whole years YYYY/YYYY, else YYYY-MM/YYYY-MM."""
    s = strip(s or "")
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-\d{2})?/(\d{4})(?:-(\d{2}))?(?:-\d{2})?", s)
    if not m:
        return s
    ya, ma, yb, mb = m.group(1), m.group(2) or "01", m.group(3), m.group(4) or "12"
    if ma == "01" and mb == "12":
        return ya if ya == yb else f"{ya}/{yb}"
    return f"{ya}-{ma}/{yb}-{mb}"


def period_of(p):
    a, b = (p.get("period_start") or "")[:7], (p.get("period_end") or "")[:7]
    if a and b:
        return canon_period(f"{a}/{b}")
    return canon_period(p.get("period") or "")


ATTRS = {
    "subject": lambda p, g: strip(p.get("subject") or "") in [strip(x) for x in g["subject"].split("|")]
    or any(strip(x) and strip(x) in strip(p.get("subject") or "") for x in g["subject"].split("|")),
    "measure": lambda p, g: (p.get("measure") or "").strip() == g["measure"],
    "basis": lambda p, g: g["measure"] != "change" or (p.get("basis") or "none").strip() == (g["basis"] or "none"),
    "approx": lambda p, g: (p.get("approx") or "exact").strip() == g["approx"],
    "period": lambda p, g: period_of(p) == canon_period(g["period"]),
    "status": lambda p, g: (p.get("status") or "actual").strip() == g["status"],
    "qualifier": lambda p, g: strip(g["qualifier"] or "") in strip(p.get("qualifier") or "")
    if g["qualifier"] else not strip(p.get("qualifier") or ""),
}


def score(package, gold_csv, source_txt, verbose=False, region=None):
    src = strip(Path(source_txt).read_text(encoding="utf-8"))
    with open(gold_csv, encoding="utf-8", newline="") as f:
        gold = list(csv.DictReader(f))
    facts, paragraphs = load_package(package)
    preds, unplaced = predicted_spans(facts, paragraphs, src)
    golds = gold_spans(gold, src)
    if region:
        lo = src.find(strip(region[0]))
        hi = src.find(strip(region[1]), max(lo, 0))
        if lo < 0 or hi < 0:
            sys.exit("score_facts: region markers not found in source")
        hi += len(strip(region[1]))
        preds = [x for x in preds if lo <= x[0] and x[1] <= hi]
        facts = [x[2] for x in preds]
        golds = [x for x in golds if lo <= x[0] and x[1] <= hi]
        gold = [x[2] for x in golds]

    pairs, used = [], set()
    for gs, ge, g in golds:
        best = None
        for i, (ps, pe, p) in enumerate(preds):
            if i in used or pe <= gs or ps >= ge:
                continue
            if same_value(p, g):
                best = i
                break
        if best is not None:
            used.add(best)
            pairs.append((g, preds[best][2]))
    matched_ids = {g["id"] for g, _ in pairs}
    optional = {g["id"] for g in gold if g.get("required", "1").strip() == "0"}
    req_gold = [g for g in gold if g["id"] not in optional]
    tp = sum(1 for g, _ in pairs if g["id"] not in optional)
    # predictions overlapping an optional gold span are ignored, not counted as false positives
    opt_spans = [(s, e) for s, e, g in golds if g["id"] in optional]
    fp_rows = []
    for i, (ps, pe, p) in enumerate(preds):
        if i in used:
            continue
        if any(not (pe <= s or ps >= e) for s, e in opt_spans):
            continue
        fp_rows.append(p)
    fp = len(fp_rows) + len(unplaced)
    fn_rows = [g for g in req_gold if g["id"] not in matched_ids]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / len(req_gold) if req_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    attr = {}
    for name, ok in ATTRS.items():
        req_pairs = [(g, p) for g, p in pairs if g["id"] not in optional]
        attr[name] = sum(1 for g, p in req_pairs if ok(p, g)) / len(req_pairs) if req_pairs else 0.0
    # strict: a match counts only when every attribute is right too
    req_pairs = [(g, p) for g, p in pairs if g["id"] not in optional]
    tp_strict = sum(1 for g, p in req_pairs if all(ok(p, g) for ok in ATTRS.values()))
    ps_ = tp_strict / (tp + fp) if tp + fp else 0.0
    rs_ = tp_strict / len(req_gold) if req_gold else 0.0
    strict_f1 = 2 * ps_ * rs_ / (ps_ + rs_) if ps_ + rs_ else 0.0
    result = {"gold_required": len(req_gold), "predicted": len(facts), "true_positive": tp,
              "false_positive": fp, "unplaced_predictions": len(unplaced), "false_negative": len(fn_rows),
              "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
              "strict_f1": round(strict_f1, 4),
              "attribute_accuracy": {k: round(v, 4) for k, v in attr.items()}}
    if verbose:
        for g in fn_rows:
            print(f"MISSED  {g['id']} §{g['section']} {g['number_text']}  [{g['subject']}]  …{g['evidence']}…")
        for p in fp_rows + unplaced:
            print(f"EXTRA   §{p.get('section', '?')} {p.get('value')} {p.get('unit')}  [{p.get('subject')}]")
        for name, ok in ATTRS.items():
            for g, p in pairs:
                if g["id"] not in optional and not ok(p, g):
                    print(f"ATTR {name:<11} {g['id']} {g['number_text']}: got {p.get(name)!r}"
                          f" want {g.get(name)!r}" if name != "period" else
                          f"ATTR period      {g['id']} {g['number_text']}: got {period_of(p)!r} want {g['period']!r}")
    return result


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    if len(args) != 3:
        sys.exit(__doc__)
    region = (opts["from"], opts["to"]) if "from" in opts and "to" in opts else None
    r = score(*args, verbose="--verbose" in argv, region=region)
    if "--json" in argv:
        print(json.dumps(r, ensure_ascii=False))
    else:
        print(f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}  "
              f"(tp {r['true_positive']}, fp {r['false_positive']}, fn {r['false_negative']}, "
              f"unplaced {r['unplaced_predictions']})")
        print(f"strict F1 (every attribute right too) {r['strict_f1']:.3f}")
        print("attribute accuracy on matches: " + ", ".join(f"{k} {v:.2f}" for k, v in r["attribute_accuracy"].items()))


if __name__ == "__main__":
    main(sys.argv[1:])
