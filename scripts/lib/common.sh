# Shared paths and helpers for ftstress's shell scripts (sourced, never run).
#
# Everything expensive lives under FTSTRESS_HOME (default ~/.cache/ftstress), outside the
# repository, keyed by CPython version and build flags so that a clean clone reuses it.

FTSTRESS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FTSTRESS_HOME=${FTSTRESS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ftstress}

# The clang whose compiler-rt TSan runtime builds both the interpreter and the driver.
# 19 is the release whose __tsan_on_report / __tsan_get_report_* interface was measured here.
FTSTRESS_CLANG_MAJOR=${FTSTRESS_CLANG_MAJOR:-19}
FTSTRESS_CC=${FTSTRESS_CC:-clang-$FTSTRESS_CLANG_MAJOR}
FTSTRESS_LLVM_BIN=/usr/lib/llvm-$FTSTRESS_CLANG_MAJOR/bin

# Interpreter variant: "debug" (--with-pydebug) or "release". See README for the measured choice.
FTSTRESS_VARIANT=${FTSTRESS_VARIANT:-debug}

# Sanitizer: "thread" (ThreadSanitizer, the default: races are found) or "none" (the plain
# free-threaded interpreter: native speed for crashes, hangs and outcomes; no race reports).
FTSTRESS_SANITIZER=${FTSTRESS_SANITIZER:-thread}
ftstress_sanitizer_tag() { if [ "$FTSTRESS_SANITIZER" = none ]; then printf plain; else printf tsan; fi; }

# The driver's build tree: per checkout, outside the sources, keyed by the interpreter it uses
# (build-plain for the interpreter without TSan).
FTSTRESS_BUILD_GIVEN=${FTSTRESS_BUILD:+1}
if [ "$FTSTRESS_SANITIZER" = none ]; then
  FTSTRESS_BUILD=${FTSTRESS_BUILD:-$FTSTRESS_ROOT/build-plain}
else
  FTSTRESS_BUILD=${FTSTRESS_BUILD:-$FTSTRESS_ROOT/build}
fi

ftstress_log() { printf 'ftstress: %s\n' "$*" >&2; }
ftstress_die() { printf 'ftstress: error: %s\n' "$1" >&2; exit "${2:-3}"; }

# The cache key of an interpreter build: version, sanitizer, variant and compiler.
ftstress_cpython_key() { # VERSION
  printf '%s-ft-%s-%s-clang%s' "$1" "$(ftstress_sanitizer_tag)" "$FTSTRESS_VARIANT" "$FTSTRESS_CLANG_MAJOR"
}

# Prints the prefix of the newest complete interpreter install in the cache, or nothing.
ftstress_find_python_prefix() {
  local d
  for d in $(ls -d "$FTSTRESS_HOME"/cpython/*-ft-"$(ftstress_sanitizer_tag)"-"$FTSTRESS_VARIANT"-clang"$FTSTRESS_CLANG_MAJOR" 2>/dev/null | sort -rV); do
    if [ -f "$d/.ftstress-complete" ]; then printf '%s\n' "$d"; return 0; fi
  done
  return 1
}
