#!/usr/bin/env bash
# Make Debian's `chromium` available for the HTML report test (tests marked `chromium`).
# Installs it with apt-get when missing. Exits non-zero when it cannot, so that `.ci/run` can report that
# and still run everything else (the chromium tests then skip with a reason).
set -u

have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

if have_chromium; then
    echo "chromium: $(command -v chromium || command -v chromium-browser)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "chromium missing and not root (no sudo): cannot install it" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium missing and apt-get unavailable: cannot install it" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -q; then
    echo "apt-get update failed: cannot install chromium" >&2
    exit 1
fi
if ! $SUDO apt-get install -y -q --no-install-recommends chromium; then
    echo "apt-get install chromium failed" >&2
    exit 1
fi
if have_chromium; then
    echo "chromium installed: $(command -v chromium || command -v chromium-browser)"
    exit 0
fi
echo "chromium still not found after installation" >&2
exit 1
