# Sourced by scripts that need Python: creates .venv and installs python/requirements-dev.txt into it,
# again only when that file changed.
ensure_venv() {
  local root="$1"
  local venv="$root/.venv"
  local requirements="$root/python/requirements-dev.txt"
  local stamp="$venv/.requirements.sha256"
  local want
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
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
  echo "$want" > "$stamp"
}
