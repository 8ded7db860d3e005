# A private apt configuration for Debian trixie and sid (sourced after common.sh, never run).
# shellcheck shell=bash
#
# ftstress needs packages this machine's own apt sources may not carry (python3.13 for CPython's
# sources, trixie's setuptools, source packages of real C extensions for tests/realworld). It keeps
# its own sources.list, package lists and download cache under $FTSTRESS_HOME/apt and passes them
# to apt with `"${apt_opts[@]}"`, so the system's apt state is neither read nor changed. The mirror
# comes from this machine's own apt sources at run time, so the repository names no host.
#
# Provides: apt_home, apt_opts, debian_mirror, private_apt_update. Messages go through `step` when
# the sourcing script defines one (bootstrap's timed progress lines), else to stderr.

apt_home=$FTSTRESS_HOME/apt
apt_opts=(-o "Dir::Etc::SourceList=$apt_home/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt_home/lists" -o "Dir::Cache=$apt_home/cache"
          -o APT::Sandbox::User=root)

debian_apt_log() {
  if declare -F step >/dev/null; then step "$@"; else ftstress_log "$@"; fi
}

# Prints the Debian mirror this machine's apt uses (the first non-security URI).
debian_mirror() {
  local m
  m=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  [ -n "$m" ] || m=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v -- '-security' | awk '{for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' | head -n1 || true)
  [ -n "$m" ] || ftstress_die "no Debian mirror found in /etc/apt/sources.list{,.d}"
  printf '%s\n' "$m"
}

# Writes the private sources.list (deb and deb-src, trixie and sid) and reads its indexes, at
# most once a day. Serialised by a lock: bootstrap and tests may update the same cache at once.
private_apt_update() {
  [ -f "$apt_home/.updated" ] && [ -z "$(find "$apt_home/.updated" -mmin +1440 2>/dev/null)" ] && return 0
  mkdir -p "$apt_home/lists/partial" "$apt_home/cache/archives/partial"
  local mirror suite
  mirror=$(debian_mirror)
  (
    flock 8
    # Another process may have finished the update while this one waited for the lock.
    [ -f "$apt_home/.updated" ] && [ -z "$(find "$apt_home/.updated" -mmin +1440 2>/dev/null)" ] && exit 0
    {
      for suite in trixie sid; do
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
        echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
      done
    } >"$apt_home/sources.list"
    debian_apt_log "reading the trixie and sid package indexes (private apt configuration)"
    # `set -e` does not reach into a subshell on the left of `||`: test each step.
    apt-get "${apt_opts[@]}" update -qq >/dev/null || exit 1
    touch "$apt_home/.updated"
  ) 8>"$apt_home/.update.lock" || ftstress_die "apt-get update with the private configuration failed"
}

# Downloads the newest version of binary package PKG that the private indexes list and the mirror
# actually serves into the current folder: an index can list a version whose file is gone (as with
# python3.13's sources), so each is tried, newest first. Prints the version downloaded.
download_newest_deb() { # PKG
  local v
  for v in $(apt-cache "${apt_opts[@]}" madison "$1" 2>/dev/null | awk -F'|' '$3 ~ /Packages/ {gsub(/ /, "", $2); print $2}' | sort -urV); do
    if apt-get "${apt_opts[@]}" download -qq "$1=$v" >/dev/null 2>&1; then
      printf '%s\n' "$v"
      return 0
    fi
    debian_apt_log "$1=$v is listed but did not download; trying the next version"
  done
  return 1
}
