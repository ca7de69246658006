#!/usr/bin/env python3
"""In-memory stand-in for Apache Solr, for running a real CKAN in tests.

This is NOT Solr: it only answers what CKAN 2.10-2.12 sends to Solr through
pysolr, for a test stack on a machine where Solr cannot be installed. CKAN,
PostgreSQL, Redis and the uploads around it stay real. Documents live in
memory and are lost when the process stops. The core name is ignored.

  GET  .../schema?wt=schema.xml, .../admin/file  a schema named ckan-2.11
  GET  .../admin/ping
  POST .../update  JSON list of documents (replaced by index_id); XML
       <delete><id>/<query>; <commit/> and ?commit=true are no-ops
  GET/POST .../select  q, fq (repeated), fl, rows, start, sort, facet,
       facet.field (repeated), facet.limit, facet.mincount, facet.sort,
       q.op, df, defType=dismax|edismax with qf and mm; answers in JSON

Query language: the Lucene subset CKAN uses: field:value, "phrases", * and ?
wildcards, AND/OR/NOT/&&/||/!, +/-, (groups), field:(a OR b), ranges [a TO b]
and {a TO b} over numbers and ISO dates (also NOW-1DAY), *:* and field:*.
Text fields (title, notes, text, res_name, extras_*, ...) match words in any
case, with crude plural stemming; other fields match exactly, like Solr
string fields. Scores are crude: good enough for "score desc" only.

Usage: python solr_standin.py --host 127.0.0.1 --port 18983
"""
import argparse
import collections
import datetime as dt
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

SCHEMA_NAME, UNIQUE_KEY = "ckan-2.11", "index_id"
TEXT_FIELDS = {"text", "urls", "title", "notes", "author", "author_email", "maintainer",
               "maintainer_email", "res_name", "res_description"}
TEXT_PREFIXES = ("extras_", "res_extras_")
# The copyField targets of CKAN's schema.xml, and their sources.
COPIES = {"urls": (("url", "ckan_url", "download_url", "res_url"), ()),
          "text": (("url", "ckan_url", "download_url", "res_url", "name", "title", "text",
                    "license", "notes", "tags", "groups", "organization", "res_name",
                    "res_description", "maintainer", "author"),
                   ("extras_", "res_extras_", "vocab_"))}
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
UNSTORED = {"text", "urls", "permission_labels", "title_string"}
KNOWN_PARAMS = {"q", "fq", "fl", "rows", "start", "sort", "wt", "facet", "facet.field",
                "facet.limit", "facet.mincount", "facet.sort", "defType", "qf", "mm",
                "q.op", "df", "tie", "version"}
DOCS = {}  # unique key -> document, as CKAN sent it
LOCK = threading.Lock()
WARNED = set()


class QueryError(Exception):
    pass


# ------------------------------------------------------------------ values
def as_str(value):
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def field_values(doc, field):
    """The non-empty values of a field as strings, copyField targets included."""
    if field in COPIES:
        names, prefixes = COPIES[field]
        raw = [v for k, val in doc.items() if k in names or k.startswith(prefixes)
               for v in (val if isinstance(val, list) else [val])]
    else:
        raw = doc.get(field)
        raw = raw if isinstance(raw, list) else [raw]
    return [as_str(v) for v in raw if v is not None and v != ""]


def is_text(field):
    return field in TEXT_FIELDS or field.startswith(TEXT_PREFIXES)


def words(text):
    """Lower-cased words, crudely stemmed ('Datasets' -> 'dataset'). As in Solr's
    StandardTokenizer, each Chinese/Japanese character is a word of its own."""
    out = []
    for w in re.findall(r"[%s]|[^\W%s]+" % (CJK, CJK), text.lower()):
        if len(w) > 3 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


def norm(value):
    """Compare/sort key (rank, value): numbers, then dates (NOW-1DAY too), then text."""
    s = as_str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return (0, float(s))
    if s.upper().startswith("NOW"):  # date math; rounding (/DAY) is ignored
        t, units = dt.datetime.now(dt.timezone.utc), {
            "SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400, "WEEK": 604800,
            "MONTH": 2629746, "YEAR": 31556952}
        for sign, n, unit in re.findall(r"([+-])(\d+)([A-Z]+)", s.upper()):
            t += dt.timedelta(seconds=int(sign + n) * units.get(unit.rstrip("S"), 0))
        return (1, t)
    if re.match(r"\d{4}-\d\d-\d\d", s):
        try:
            d = dt.datetime.fromisoformat(s.split("/")[0].replace("Z", "+00:00"))
            return (1, d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc))
        except ValueError:
            pass
    return (2, s)


# ----------------------------------------------------------------- queries
TOKEN = re.compile(r"""\s*(?:
    (?P<lp>\() | (?P<rp>\)(?:\^[\d.]+)?) |
    (?P<op>(?:AND|OR|NOT)(?=[\s()]|$)|&&|\|\|) |
    (?P<mod>[+\-!])(?=\S) |
    (?P<range>(?P<ro>[\[{])\s*(?P<lo>"[^"]*"|\S+?)\s+TO\s+(?P<hi>"[^"]*"|\S+?)\s*(?P<rc>[\]}])) |
    (?P<phrase>"(?:[^"\\]|\\.)*")(?:[~^][\d.]*)* |
    (?P<field>[\w.*-]+):\s* |
    (?P<term>(?:\\.|[^\s()"\\])+)
)""", re.X)


def term_node(field, raw):
    """A node for one term: ('all',), ('exists', f), ('wild', f, regex), ('term', f, text)."""
    if raw == "*":
        return ("all",) if field == "*" else ("exists", field)
    if not re.search(r"(?<!\\)[*?]", raw):
        return ("term", field, re.sub(r"\\(.)", r"\1", raw))
    parts = re.findall(r"\\.|.", raw, re.S)
    pattern = "".join({"*": ".*", "?": "."}.get(c) or re.escape(c[-1]) for c in parts)
    return ("wild", field, re.compile(pattern + r"\Z", re.S | (re.I if is_text(field) else 0)))


class Parser:
    """Lucene's standard query parser, the subset CKAN uses. parse() -> a node tree."""

    def __init__(self, query, df="text", op="OR"):
        self.toks, self.i, self.df, self.op = [], 0, df, (op or "OR").upper()
        pos, query = 0, query.strip()
        while pos < len(query):
            m = TOKEN.match(query, pos)
            if not m or m.end() == pos:
                raise QueryError("Cannot parse '%s' at position %d" % (query, pos))
            pos, kind = m.end(), m.lastgroup
            if kind == "range":
                val = (m["lo"].strip('"'), m["hi"].strip('"'), m["ro"] == "[", m["rc"] == "]")
            elif kind == "phrase":
                val = re.sub(r"\\(.)", r"\1", m["phrase"][1:-1])
            else:  # a term loses its ^boost and ~fuzziness
                val = re.sub(r"(?<!\\)[\^~][\d.]*$", "", m[kind]) if kind == "term" else m[kind]
            self.toks.append((kind, val))

    def next(self):
        self.i += 1
        return self.toks[self.i - 1] if self.i <= len(self.toks) else (None, None)

    def parse(self):
        node = self.expr(self.df)
        if self.i < len(self.toks):
            raise QueryError("Cannot parse: unbalanced ')'")
        return node

    def expr(self, field):
        clauses, conj = [], None
        while self.i < len(self.toks) and self.toks[self.i][0] != "rp":
            kind, val = self.next()
            if kind == "op" and val != "NOT":
                conj = "AND" if val in ("AND", "&&") else "OR"
                continue
            mod = "-" if val in ("NOT", "-", "!") else "+" if kind == "mod" else None
            if kind not in ("op", "mod"):
                self.i -= 1
            # How a clause is required: the rules of Lucene's QueryParserBase.addClause.
            if clauses and clauses[-1][0] != "not":
                if conj == "AND":
                    clauses[-1][0] = "must"
                elif conj == "OR" and self.op == "AND":
                    clauses[-1][0] = "should"
            if mod == "-":
                occur = "not"
            elif self.op == "AND":
                occur = "should" if conj == "OR" else "must"
            else:
                occur = "must" if mod == "+" or conj == "AND" else "should"
            clauses.append([occur, self.clause(field)])
            conj = None
        return ("bool", clauses)

    def clause(self, field):
        kind, val = self.next()
        if kind == "field":
            field, (kind, val) = val, self.next()
        if kind == "lp":
            node = self.expr(field)
            if self.next()[0] != "rp":
                raise QueryError("Cannot parse: missing ')'")
            return node
        if kind in ("phrase", "range", "term"):
            return (("term", field, val) if kind == "phrase" else
                    ("range", field) + val if kind == "range" else term_node(field, val))
        raise QueryError("Cannot parse: unexpected %r" % (val,))


def matches(node, doc):
    kind = node[0]
    values = field_values(doc, node[1]) if kind not in ("all", "bool") else []
    if kind == "all":
        return True
    if kind == "exists":
        return bool(values)
    if kind == "term":
        if not is_text(node[1]):
            return node[2] in values
        want = words(node[2])
        n = len(want)
        return n > 0 and any(have[i:i + n] == want for have in map(words, values)
                             for i in range(len(have) - n + 1))
    if kind == "wild":
        if is_text(node[1]):
            values = [t for v in values for t in re.findall(r"\w+", v) + [v]]
        return any(node[2].match(v) for v in values)
    if kind == "range":
        lo, hi, inc_lo, inc_hi = node[2:]
        for x in map(norm, values):
            a, b = (None if lo == "*" else norm(lo)), (None if hi == "*" else norm(hi))
            if ((a is None or (a[0] == x[0] and (x >= a if inc_lo else x > a))) and
                    (b is None or (b[0] == x[0] and (x <= b if inc_hi else x < b)))):
                return True
        return False
    clauses = node[1]
    for occur, sub in clauses:
        hit = matches(sub, doc)
        if (occur == "not" and hit) or (occur == "must" and not hit):
            return False
    shoulds = [sub for occur, sub in clauses if occur == "should"]
    if any(occur == "must" for occur, _ in clauses) or not shoulds:
        return True  # a purely negative query matches all other documents
    return any(matches(sub, doc) for sub in shoulds)


def mm_required(spec, n):
    """How many of n optional dismax terms must match, e.g. CKAN's '2<-1 5<80%'."""
    def apply(v):
        if v.endswith("%"):
            pct = int(v[:-1])
            return n - n * -pct // 100 if pct < 0 else n * pct // 100
        return n + int(v) if int(v) < 0 else int(v)
    required = n
    for part in (spec or "100%").split():
        if "<" not in part:
            required = apply(part)
        elif n > int(part.split("<")[0]):
            required = apply(part.split("<")[1])
    return max(0, min(n, required))


def dismax_scorer(q, qf, mm):
    """score(doc) -> float, or None when the doc does not match the dismax query."""
    fields = [(f, float(b or 1)) for f, b in re.findall(r"([^\s^]+)(?:\^([\d.]+))?", qf)]
    terms = [(mod, t[1:-1] if t.startswith('"') else t)
             for mod, t in re.findall(r'([+-]?)("(?:[^"\\]|\\.)*"|\S+)', q)
             if t not in ("AND", "OR", "NOT", "&&", "||")]
    nodes = [(mod, [(term_node(f, t), b) for f, b in fields]) for mod, t in terms]
    needed = mm_required(mm, sum(1 for mod, _ in terms if not mod))

    def score(doc):
        total, hits = 0.0, 0
        for mod, alternatives in nodes:
            best = max((b for node, b in alternatives if matches(node, doc)), default=0)
            if (mod == "-" and best) or (mod == "+" and not best):
                return None
            hits, total = hits + bool(best and not mod), total + best
        return total if hits >= needed else None
    return score


# ---------------------------------------------------------------- requests
def select(params):
    def p(key, default=None):
        return params.get(key, [default])[-1]
    for key in set(params) - KNOWN_PARAMS - WARNED:
        WARNED.add(key)
        print("solr-standin: ignoring parameter %s=%r" % (key, params[key]), file=sys.stderr)
    q, deftype, op, df = (p("q") or "*:*").strip(), p("defType"), p("q.op"), p("df", "text")
    with LOCK:
        docs = list(DOCS.values())
    for fq in filter(str.strip, params.get("fq", [])):
        node = Parser(fq, df, op).parse()
        docs = [d for d in docs if matches(node, d)]
    if deftype in ("dismax", "edismax") and not (deftype == "edismax" and ":" in q):
        scorer = dismax_scorer(q, p("qf") or df, p("mm"))
        results = [(s, d) for s, d in ((scorer(d), d) for d in docs) if s is not None]
    else:
        node = Parser(q, df, op).parse()
        results = [(1.0, d) for d in docs if matches(node, d)]
    for key in reversed([k.strip() for k in (p("sort") or "score desc").split(",") if k.strip()]):
        field, _, order = key.partition(" ")
        if order.strip().lower() not in ("asc", "desc"):
            raise QueryError("Can't determine a Sort Order (asc or desc) in sort spec '%s'" % key)
        keys = [(0, s) if field == "score" else
                next(map(norm, field_values(d, field)), None) for s, d in results]
        order_ = sorted(range(len(results)), key=lambda i: keys[i] or (0,),
                        reverse=order.strip().lower() == "desc")
        # Solr's sortMissingLast: documents without the field go last either way
        results = ([results[i] for i in order_ if keys[i] is not None] +
                   [results[i] for i in order_ if keys[i] is None])
    start, rows = int(p("start", 0)), int(p("rows", 10))
    fl = [f for f in re.split(r"[\s,]+", p("fl") or "*") if f]
    page = []
    for score, doc in results[start:start + rows]:
        page.append({k: v for k, v in doc.items()
                     if k not in UNSTORED and ("*" in fl or k in fl)})
        if "score" in fl:
            page[-1]["score"] = score
    answer = {"responseHeader": {"status": 0, "QTime": 0},
              "response": {"numFound": len(results), "start": start, "docs": page}}
    if p("facet", "false").lower() == "true":
        answer["facet_counts"] = facet_counts(params, [d for _, d in results], p)
    return answer


def facet_counts(params, docs, p):
    limit, mincount = int(p("facet.limit", 100)), int(p("facet.mincount", 0))
    by_count = p("facet.sort", "count" if limit > 0 else "index") == "count"
    fields = {}
    for field in params.get("facet.field", []):
        counts = collections.Counter(v for d in docs for v in set(field_values(d, field)))
        items = sorted((kv for kv in counts.items() if kv[1] >= mincount),
                       key=(lambda kv: (-kv[1], kv[0])) if by_count else None)
        fields[field] = [x for kv in (items[:limit] if limit >= 0 else items) for x in kv]
    return {"facet_queries": {}, "facet_fields": fields, "facet_ranges": {},
            "facet_intervals": {}, "facet_heatmaps": {}}


def update(body):
    """A JSON list of documents to add, or XML <delete> and <commit/> commands."""
    body = body.strip()
    if body.startswith(b"["):
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with LOCK:
            for doc in json.loads(body):
                if doc.get(UNIQUE_KEY, doc.get("id")) is None:
                    raise QueryError("Document is missing mandatory uniqueKey field")
                doc.setdefault("indexed_ts", now)
                DOCS[as_str(doc.get(UNIQUE_KEY, doc.get("id")))] = doc
        return
    root = ElementTree.fromstring(body) if body else ElementTree.Element("commit")
    for cmd in (list(root) if root.tag == "update" else [root]):
        if cmd.tag == "delete":
            queries = [Parser(e.text or "", "text", "OR").parse() for e in cmd.findall("query")]
            with LOCK:
                for e in cmd.findall("id"):
                    DOCS.pop(e.text, None)
                for key, doc in list(DOCS.items()):
                    if any(matches(node, doc) for node in queries):
                        del DOCS[key]
        elif cmd.tag not in ("commit", "optimize", "rollback"):  # all no-ops here
            raise QueryError("unsupported update command <%s>" % cmd.tag)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "solr-standin/1.0"

    def do_GET(self):
        self.route(b"")

    def do_POST(self):
        self.route(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def route(self, body):
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if body and self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            for key, vals in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(vals)
            body = b""
        path, header = url.path.rstrip("/"), {"status": 0, "QTime": 0}
        try:
            if path.endswith("/select"):
                self.reply(200, json.dumps(select(params)))
            elif path.endswith(("/update", "/update/json")):
                update(body)
                self.reply(200, json.dumps({"responseHeader": header}))
            elif path.endswith("/admin/ping"):
                self.reply(200, json.dumps({"responseHeader": header, "status": "OK"}))
            elif path.endswith("/admin/file") or path.endswith("/schema"):
                # CKAN reads the name from /schema?wt=schema.xml or /admin/file?file=schema.xml
                self.reply(200, '<?xml version="1.0" encoding="UTF-8"?>\n<schema name="%s" '
                           'version="1.6">\n  <uniqueKey>%s</uniqueKey>\n</schema>\n'
                           % (SCHEMA_NAME, UNIQUE_KEY), "application/xml; charset=utf-8")
            else:
                self.error(404, "No handler for %s (this is a Solr stand-in)" % url.path)
        except (QueryError, ValueError, KeyError, TypeError, ElementTree.ParseError) as e:
            self.error(400, "org.apache.solr.search.SyntaxError: %s" % e)

    def error(self, code, msg):
        print("solr-standin: %d %s" % (code, msg), file=sys.stderr)
        self.reply(code, json.dumps({"responseHeader": {"status": code, "QTime": 0},
                                     "error": {"msg": msg, "code": code}}))

    def reply(self, code, text, ctype="application/json; charset=utf-8"):
        data = text.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    global SCHEMA_NAME
    ap = argparse.ArgumentParser(description="In-memory Solr stand-in for CKAN tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8983)
    ap.add_argument("--schema-name", default=SCHEMA_NAME, help="default: %(default)s")
    args = ap.parse_args()
    SCHEMA_NAME = args.schema_name
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print("Solr stand-in on http://%s:%d/solr/ckan" % (args.host, args.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
