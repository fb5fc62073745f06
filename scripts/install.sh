#!/usr/bin/env bash
# Install Keyflow into .venv (Python 3.11+) and make sure Debian's chromium is there for the browser tests.
#
# Idempotent and fast when nothing changed: the stamp .venv/.keyflow-installed holds a hash of pyproject.toml,
# so a second run costs one sha256sum. Run by `make install` (and so by `make run` and `make test`).
set -euo pipefail

cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.keyflow-installed"
# Browser tests drive Debian's chromium through Playwright; never a downloaded browser.
CHROMIUM=/usr/bin/chromium

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

install_python_packages() {
    mkdir -p "$VENV"
    # Two `make test` runs in one checkout must not pip-install into the same .venv at the same time.
    exec 9>"$VENV/.install-lock"
    if command -v flock >/dev/null 2>&1; then
        flock 9
    fi

    local want
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [[ -x "$VENV/bin/python" ]] && python_ok "$VENV/bin/python" \
        && [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$want" ]]; then
        return 0
    fi

    if [[ ! -x "$VENV/bin/python" ]] || ! python_ok "$VENV/bin/python"; then
        local python
        if ! python="$(find_python)"; then
            echo "Keyflow needs Python 3.11 or newer (python3 --version says: $(python3 --version 2>&1))." >&2
            echo "Install it, or point PYTHON at one: make install PYTHON=/path/to/python3.11" >&2
            exit 1
        fi
        echo "==> Creating $VENV with $python ($("$python" --version 2>&1))"
        # A .venv left by an older (or removed) Python is rebuilt rather than half-reused.
        find "$VENV" -mindepth 1 -maxdepth 1 ! -name .install-lock -exec rm -rf {} +
        "$python" -m venv "$VENV"
    fi

    echo "==> Installing Keyflow and its pinned dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -e ".[test]"
    echo "$want" >"$STAMP"
}

install_chromium() {
    if [[ -x "$CHROMIUM" ]] || [[ -n "${KEYFLOW_SKIP_CHROMIUM:-}" ]]; then
        return 0
    fi
    local warning="WARNING: could not install Debian's chromium ($CHROMIUM); the browser tests cannot run here.
         The rest of Keyflow works. On Debian/Ubuntu: apt-get install chromium"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$warning" >&2
        return 0
    fi
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "$warning" >&2
            return 0
        fi
    fi
    echo "==> Installing Debian's chromium for the browser tests (apt-get)"
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
            </dev/null; }; then
        echo "$warning" >&2
    fi
    return 0
}

install_python_packages
install_chromium
