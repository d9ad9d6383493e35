#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's chromium for the
# headless browser tests (Playwright drives it; Playwright's own browser download
# is not available offline). Idempotent: does nothing when chromium is present.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "system-deps: chromium already installed ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "system-deps: error: $CHROMIUM is missing and this user cannot install packages." >&2
        echo "system-deps: run as root: apt-get install -y --no-install-recommends chromium" >&2
        echo "system-deps: (without it the browser tests are skipped)" >&2
        exit 1
    fi
else
    SUDO=""
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: error: $CHROMIUM is missing and apt-get is not available; install chromium" \
         "with this system's package manager (the browser tests expect it at $CHROMIUM)." >&2
    exit 1
fi

echo "system-deps: installing chromium with apt-get (once per machine) ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium; then
    echo "system-deps: error: apt-get could not install chromium (see the messages above)." >&2
    exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "system-deps: error: chromium was installed but $CHROMIUM does not exist." >&2
    exit 1
fi
echo "system-deps: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
