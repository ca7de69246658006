"""A release's files that the portal already publishes byte for byte (the code lists of every
report, the tables a new edition leaves unchanged) are hard links to the published file, not
copies; the package's own files (a build folder an operator may edit) are never linked, and where
no link can be made the file is copied."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from reportpub.files import sha256_file
from reportpub.pipeline import build_package
from reportpub.publish import publish

from .conftest import REPORTS, SEED

CODE_LISTS = ("data/units.csv", "data/units.parquet", "data/indicator_codes.csv", "data/indicator_codes.parquet")


def manifest(folder: Path) -> dict[str, str]:
    lines = (folder / "checksums.sha256").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split(None, 1) for line in lines)}


def holds_its_manifest(release: Path) -> bool:
    return all(sha256_file(release / name) == digest for name, digest in manifest(release).items())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def inode(path: Path) -> int:
    return os.stat(path).st_ino


@pytest.fixture(scope="module")
def edition_2(tmp_path_factory) -> Path:
    """The seed report's second edition: one amount changed, so its facts and paragraphs change
    and its code lists do not."""
    folder = tmp_path_factory.mktemp("edition-2")
    text = SEED.read_text(encoding="utf-8")
    assert text.count("851亿元") == 1
    (folder / SEED.name).write_text(text.replace("851亿元", "852亿元"), encoding="utf-8")
    build_package([folder / SEED.name], folder / "pkg")
    return folder / "pkg"


@pytest.fixture(scope="module")
def other_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("other") / "pkg"
    build_package([REPORTS / "daqing_2016h1_economy.txt"], out)
    return out


def test_a_new_edition_links_the_files_it_leaves_unchanged_to_the_previous_release(seed_package, edition_2,
                                                                                    tmp_path):
    portal = tmp_path / "portal"
    first = publish(seed_package, portal)
    before = snapshot(first.path)
    second = publish(edition_2, portal)
    assert (first.version, second.version) == ("1.0.0", "1.1.0")
    old, new = first.path, second.path
    for name in CODE_LISTS:
        assert inode(new / name) == inode(old / name), f"{name} is copied, not linked"
    for name in ("data/facts.csv", "data/facts.parquet", "data/paragraphs.csv", "datapackage.json"):
        assert inode(new / name) != inode(old / name), name
    assert os.stat(new / "datapackage.json").st_nlink == 1  # set_version writes it in place
    assert manifest(old)["data/facts.csv"] != manifest(new)["data/facts.csv"]
    assert holds_its_manifest(old) and holds_its_manifest(new)
    after = snapshot(old)
    assert {k: after.get(k) for k in before} == before, "the first release changed"


def test_editing_the_build_folder_after_publishing_changes_no_published_file(seed_package, other_dataset,
                                                                             tmp_path):
    """Passes with copies (main) as with links: no published file is the build folder's file."""
    portal = tmp_path / "portal"
    packages = [tmp_path / "a", tmp_path / "b"]
    shutil.copytree(seed_package, packages[0])
    shutil.copytree(other_dataset, packages[1])
    releases = [publish(pkg, portal).path for pkg in packages]
    published = snapshot(portal / "datasets")
    for pkg in packages:
        for name in CODE_LISTS + ("data/facts.csv",):
            with open(pkg / name, "r+b") as f:  # in place: the same inode, other bytes
                f.write(b"edited")
    assert snapshot(portal / "datasets") == published
    assert all(holds_its_manifest(r) for r in releases)


def test_two_datasets_with_the_same_code_lists_share_them(seed_package, other_dataset, tmp_path):
    portal = tmp_path / "portal"
    a, b = publish(seed_package, portal), publish(other_dataset, portal)
    assert a.dataset != b.dataset
    for name in CODE_LISTS:
        assert inode(a.path / name) == inode(b.path / name), name
        assert os.stat(b.path / name).st_nlink == 2
    assert inode(a.path / "data/facts.csv") != inode(b.path / "data/facts.csv")
    assert holds_its_manifest(a.path) and holds_its_manifest(b.path)


def test_a_published_file_changed_since_is_not_linked_the_package_is_copied(seed_package, other_dataset, tmp_path):
    """No release is written in place, but a person can: the next release does not take the change."""
    portal = tmp_path / "portal"
    a = publish(seed_package, portal)
    units = a.path / "data/units.csv"
    data = bytearray(units.read_bytes())
    data[-2:-1] = b"X" if data[-2:-1] != b"X" else b"Y"  # same size, other bytes
    units.write_bytes(bytes(data))
    b = publish(other_dataset, portal)
    assert inode(b.path / "data/units.csv") != inode(units)
    assert (b.path / "data/units.csv").read_bytes() == (other_dataset / "data/units.csv").read_bytes()
    assert holds_its_manifest(b.path)
    assert inode(b.path / "data/units.parquet") == inode(a.path / "data/units.parquet")  # unchanged: linked


def test_a_previous_release_on_another_file_system_is_copied_not_linked(seed_package, edition_2, tmp_path):
    """An operator moved release 1.0.0 to another disk (here tmpfs) and left a link in its place:
    a hard link cannot cross file systems (EXDEV), so the new release copies the package's files."""
    if not os.path.isdir("/dev/shm") or os.stat("/dev/shm").st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another file system than the tests' temporary folder")
    portal = tmp_path / "portal"
    first = publish(seed_package, portal)
    elsewhere = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="reportpub-test-"))
    try:
        shutil.move(first.path, elsewhere / "1.0.0")
        first.path.symlink_to(elsewhere / "1.0.0")
        second = publish(edition_2, portal)
        assert second.version == "1.1.0"
        for name in CODE_LISTS:
            assert os.stat(second.path / name).st_nlink == 1, name
            assert os.stat(second.path / name).st_dev != os.stat(elsewhere / "1.0.0" / name).st_dev
        assert holds_its_manifest(second.path) and holds_its_manifest(elsewhere / "1.0.0")
    finally:
        shutil.rmtree(elsewhere)
