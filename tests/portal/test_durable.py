"""A render makes its pages durable before any record says they are done: a render stopped before
its fsyncs (a crash, which a test cannot produce: they are made to fail) leaves the dataset with
no record, and the next render does it again."""

from __future__ import annotations

import pytest

import reportpub.portal.files as portal_files
from reportpub.portal import render_portal
from reportpub.portal.model import latest_version
from reportpub.portal.state import STATE, dataset_key, is_current, renderer_key

from .conftest import SAMPLES, publish_reports


def test_a_render_stopped_before_its_fsyncs_leaves_no_record(tmp_path, monkeypatch):
    portal = tmp_path / "portal"
    [name] = publish_reports(SAMPLES[:1], portal, tmp_path / "build")
    folder = portal / "datasets" / name
    key = dataset_key(folder, latest_version(folder), renderer_key(None))
    assert is_current(folder, key)

    def crash(path):
        raise OSError("the machine stopped")

    monkeypatch.setattr(portal_files, "_fsync", crash)
    with pytest.raises(OSError):
        render_portal(portal, name, base_url="https://data.example.org/")  # its pages change: written, then fsynced
    assert not (folder / STATE).exists() and not is_current(folder, key)

    monkeypatch.undo()
    render_portal(portal)
    assert is_current(folder, key)
    assert (folder / "index.html").is_file() and (folder / "paragraphs.html").is_file()
