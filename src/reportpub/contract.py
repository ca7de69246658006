"""Contract file name -> the file in use: an operator's own copy first, else the copy shipped with reportpub.

The contract (schemas/, datapackage/ and validation/ at the repository root) ships inside the package
as reportpub/_contract/ (symbolic links in the source tree, real files in the wheel), so an installed
reportpub needs no checkout, and every lookup of a contract file goes through this module.
Precedence, first rule that applies wins:

1. policy_option: the validation policy only: --policy, else $REPORTPUB_POLICY (its suites are found
   relative to it, as its `suites` key says);
2. operator_folder: --config-dir, else $REPORTPUB_CONFIG_DIR, when it holds that file (an operator
   copies only the files they change; validation/ goes whole: a policy.yaml with its suites/);
3. shipped: the copy inside the installed package, found with importlib.resources.

The CLI turns its options into these environment variables, so that flows and their worker
processes on the same machine resolve the same files.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .errors import ReportpubError

CONFIG_DIR_ENV = "REPORTPUB_CONFIG_DIR"
POLICY_ENV = "REPORTPUB_POLICY"
POLICY = "validation/policy.yaml"
SUITES = "validation/suites"
FOLDERS = ("datapackage", "schemas")  # the files of these are resolved one by one; validation/ follows the policy


class ConfigError(ReportpubError):
    """An operator's configuration cannot be found: a setup error, so nothing runs."""

    stage = "config"


def shipped(relative: str = "") -> Path:
    """'datapackage/units.csv' -> the copy inside the installed package.

    pip and uv install wheels unzipped, so the package's files are a real folder."""
    return _shipped_folder() / relative


@functools.lru_cache(maxsize=1)
def _shipped_folder() -> Path:
    """Where the package is installed does not change while it runs: found once (importlib.resources
    cost ~30 us a call, and the build and the checks ask for a contract file ~16 times a report)."""
    from importlib import resources

    return Path(str(resources.files("reportpub").joinpath("_contract")))


def operator_folder() -> Path | None:
    """$REPORTPUB_CONFIG_DIR as a folder, or None when unset; a folder that is not there is refused
    (silently using the shipped files would publish under rules the operator did not choose)."""
    raw = os.environ.get(CONFIG_DIR_ENV)
    if not raw:
        return None
    folder = Path(raw).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"{raw}: no such folder (--config-dir or ${CONFIG_DIR_ENV} names a folder with your own "
                          "copies of schemas/, datapackage/ or validation/)")
    return folder


def path(relative: str) -> Path:
    """'datapackage/units.csv' -> the operator's copy when their folder has one, else the shipped copy."""
    folder = operator_folder()
    if folder is not None and (folder / relative).is_file():
        return folder / relative
    return shipped(relative)


def policy(explicit: str | os.PathLike | None = None) -> Path:
    """(--policy value or None) -> the validation policy in use (rules policy_option, operator_folder, shipped)."""
    if explicit is not None:
        return Path(explicit)
    if raw := os.environ.get(POLICY_ENV):
        return Path(raw)
    folder = operator_folder()
    if folder is not None and (folder / "validation").is_dir():
        if not (folder / POLICY).is_file():
            raise ConfigError(f"{folder / 'validation'} holds no policy.yaml: copy the shipped validation "
                              "folder whole (the policy names its suites)")
        return folder / POLICY
    return shipped(POLICY)


def suites(policy_file: Path, named: object) -> Path:
    """(policy file, its `suites` value) -> the suites folder: relative to the policy, else the shipped one."""
    return policy_file.parent / named if isinstance(named, str) else shipped(SUITES)


def files_in_use(policy_file: Path | None = None) -> list[tuple[str, Path]]:
    """Every contract file this process would read, as (contract name, file), in a stable order.

    The names are the shipped ones, so an operator's identical copy describes the same configuration."""
    import yaml

    used = [(f"{folder}/{f.name}", path(f"{folder}/{f.name}"))
            for folder in FOLDERS for f in sorted(shipped(folder).iterdir()) if f.is_file()]
    policy_file = policy(policy_file)
    if not policy_file.is_file():
        return used  # validation refuses it with its own one-line reason
    used.append((POLICY, policy_file))
    try:
        named = (yaml.safe_load(policy_file.read_bytes()) or {}).get("suites")
    except (OSError, yaml.YAMLError, AttributeError):
        return used  # as above
    folder = suites(policy_file, named)
    used += [(f"{SUITES}/{f.name}", f) for f in sorted(folder.glob("*.json")) if f.is_file()]
    return used
