#!/usr/bin/env bash
# `make test`: system packages, the services the tests need (started here, on 127.0.0.1, and
# stopped on exit by their recorded PIDs), then the whole pytest suite. Extra arguments go to pytest.
# A CKAN stack that was already up (`make ckan-up`) is used and left running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
started=0
stop_services() { [ "$started" = 1 ] && bash services/ckan/stack.sh down >/dev/null 2>&1 || true; }
trap stop_services EXIT
if [ "${REPORTPUB_SKIP_CKAN:-0}" != 1 ] && ! bash services/ckan/stack.sh status >/dev/null 2>&1; then
  started=1
  bash services/ckan/stack.sh up
fi
.venv/bin/python scripts/audit.py requirements.lock
.venv/bin/python -m pytest "$@"
