"""Portal pages: the static catalogue page of a portal folder (any web server can host it).

Every string from a report is escaped: a report cannot inject markup into the portal.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

_STYLE = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d1d1f}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
.v{color:#0a7d32}.muted{color:#666;font-size:.9em}
"""


def render_index(portal: Path) -> str:
    """Portal folder -> index.html listing every dataset's latest release with download links."""
    rows = []
    for ds_dir in sorted((portal / "datasets").glob("*/")):
        latest = ds_dir / "latest"
        if not latest.exists():
            continue
        descriptor = json.loads((latest / "datapackage.json").read_text(encoding="utf-8"))
        history = json.loads((ds_dir / "history.json").read_text(encoding="utf-8"))
        name = ds_dir.name
        base = f"datasets/{escape(name)}/releases/{escape(descriptor['version'])}"
        links = " ".join(
            f'<a href="{base}/{escape(r["path"])}">{escape(r["path"].split("/")[-1])}</a>'
            for r in descriptor["resources"]
        )
        publisher = (descriptor.get("sources") or [{}])[0].get("publisher", "")
        rows.append(
            "<tr>"
            f"<td><strong>{escape(descriptor.get('title', name))}</strong><br>"
            f"<span class=muted>{escape(publisher)}</span></td>"
            f"<td>{escape(descriptor['version'])}<br><span class=muted>{len(history)} release(s)</span></td>"
            f"<td>{history[-1].get('facts', '')}</td>"
            f"<td class=v>valid</td>"
            f'<td><a href="{base}/datapackage.json">datapackage.json</a> {links} '
            f'<a href="{base}/validation.html">validation report</a></td>'
            "</tr>"
        )
    body = "\n".join(rows) or '<tr><td colspan="5">No datasets published yet.</td></tr>'
    return (
        "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>reportpub 开放数据 / open data</title><style>{_STYLE}</style></head><body>"
        "<h1>政府报告开放数据 <span class=muted>Government report open data</span></h1>"
        "<table><thead><tr><th>数据集 Dataset</th><th>版本 Version</th><th>事实数 Facts</th>"
        f"<th>校验 Validation</th><th>下载 Downloads</th></tr></thead><tbody>{body}</tbody></table>"
        "</body></html>\n"
    )
