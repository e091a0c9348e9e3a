# Sourced by scripts/start, scripts/test and .ci/run: installs Soash and its tools into .venv.
# Uses uv with the committed uv.lock; where uv is missing it installs uv into .tools/, and where
# that is impossible it falls back to `python -m venv` + pip (unlocked versions).
set -eu
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Soash needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))." >&2
    exit 1
}
if command -v uv >/dev/null 2>&1; then
    UV=uv
elif [ -x .tools/bin/uv ]; then
    UV=.tools/bin/uv
elif "$PYTHON" -m venv .tools && .tools/bin/python -m pip install --quiet uv; then
    UV=.tools/bin/uv
else
    UV=""
fi
if [ -n "$UV" ]; then
    "$UV" sync --frozen --quiet --python "$PYTHON"
else
    echo "uv is unavailable; installing with pip instead (versions not pinned by uv.lock)." >&2
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    DEV=$("$PYTHON" -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['dependency-groups']['dev']))")
    # shellcheck disable=SC2086
    .venv/bin/python -m pip install --quiet -e . $DEV
fi
