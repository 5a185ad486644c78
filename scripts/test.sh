#!/usr/bin/env bash
# Install everything the tests need into .venv and run the whole suite.
# Used by the README's second command and by .ci/run; every install step the
# suite needs lives here, so a clean clone on a fresh machine passes.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# Browser tests drive Debian's Chromium through Playwright (Playwright cannot
# download its own browser here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

exec .venv/bin/python -m pytest "$@"
