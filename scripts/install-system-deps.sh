#!/usr/bin/env bash
# System packages the test suite needs beyond Python, from Debian (installed once per machine):
#   chromium    headless browser tests (Playwright drives it; its own browser download is not
#               available offline) - required: the script fails when it cannot be installed
#   nginx       the two-instances-behind-a-load-balancer test (tests/deploy/test_nginx.py)
#   postgresql  the store tests on a real PostgreSQL server (scripts/start-postgres.sh starts one)
# nginx and postgresql are optional: without them those tests are skipped with a reason, so a
# developer without root still runs the rest. Idempotent: installs only what is missing.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
NGINX=/usr/sbin/nginx

have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

missing_required=()
missing_optional=()
[ -x "$CHROMIUM" ] || missing_required+=(chromium)
[ -x "$NGINX" ] || missing_optional+=(nginx-light)
have_postgres || missing_optional+=(postgresql)

if [ ${#missing_required[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ]; then
    echo "system-deps: chromium, nginx and postgresql already installed"
    exit 0
fi

SUDO=""
can_install=1
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        can_install=0
    fi
fi
command -v apt-get >/dev/null 2>&1 || can_install=0

if [ "$can_install" -eq 0 ]; then
    if [ ${#missing_optional[@]} -gt 0 ]; then
        echo "system-deps: warning: ${missing_optional[*]} missing and cannot be installed by this user;" \
             "their tests are skipped (as root: apt-get install -y --no-install-recommends ${missing_optional[*]})" >&2
    fi
    if [ ${#missing_required[@]} -gt 0 ]; then
        echo "system-deps: error: $CHROMIUM is missing and this user cannot install packages." >&2
        echo "system-deps: run as root: apt-get install -y --no-install-recommends chromium" >&2
        echo "system-deps: (without it the browser tests are skipped)" >&2
        exit 1
    fi
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "system-deps: installing ${missing_required[*]} ${missing_optional[*]} with apt-get (once per machine) ..."
$SUDO apt-get update -qq
if [ ${#missing_required[@]} -gt 0 ]; then
    if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing_required[@]}"; then
        echo "system-deps: error: apt-get could not install ${missing_required[*]} (see the messages above)." >&2
        exit 1
    fi
    if [ ! -x "$CHROMIUM" ]; then
        echo "system-deps: error: chromium was installed but $CHROMIUM does not exist." >&2
        exit 1
    fi
    echo "system-deps: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
fi
if [ ${#missing_optional[@]} -gt 0 ]; then
    # the packages' own services are not wanted (the tests start their own servers on loopback)
    if $SUDO apt-get install -y -qq --no-install-recommends "${missing_optional[@]}"; then
        echo "system-deps: installed ${missing_optional[*]}"
    else
        echo "system-deps: warning: apt-get could not install ${missing_optional[*]}; their tests are skipped" >&2
    fi
fi
