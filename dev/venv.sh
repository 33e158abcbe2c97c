# Sourced by scripts that need Python: creates .venv, installs python/requirements-dev.txt and
# runlake's own Python layer (python/) into it, again only when one of them changed.
ensure_venv() {
  local root="$1"
  local venv="$root/.venv"
  local requirements="$root/python/requirements-dev.txt"
  local stamp="$venv/.requirements.sha256"
  local want
  want="$(cd "$root/python" && find requirements-dev.txt pyproject.toml setup.py runlake-autolog.pth runlake -type f \
    -not -path '*/__pycache__/*' | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  if ! python3 -m venv --help >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  echo "runlake: preparing the Python virtualenv .venv (mlflow, pyspark; a few minutes the first time)..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q -r "$requirements" >&2
  "$venv/bin/pip" install -q --force-reinstall --no-deps "$root/python" >&2
  rm -rf "$root/python/build" "$root/python/"*.egg-info
  echo "$want" > "$stamp"
}
