#!/bin/bash
# Baseline stability as a nightly job sees it: a corpus set to expect: clean, one --update-baseline run, then 5 reruns at the same budget against it; prints the NEW groups of each rerun.
# Usage: baseline-reruns.sh FTSTRESS TAG CORPUS JOBS ROUNDS [run options...]
#   FTSTRESS  the ftstress command (scripts/ftstress or build/harness/ftstress)
#   CORPUS    a folder or file of scenarios; copied to /tmp/vd-bl/TAG/sc with every expect: line set to clean
#   JOBS      1 (alone, no -j) or N (-j N); ROUNDS the budget of every run (--rounds)
# Each run holds /tmp/ftstress-heavy.lock (the shared machine's lock for heavy work) on its own, unless
# NOLOCK=1 (runs of seconds: the real extensions' scenarios).
set -u
lock=(flock /tmp/ftstress-heavy.lock); [ "${NOLOCK:-0}" = 1 ] && lock=()
F=$1; T=$2; C=$3; J=$4; R=$5; shift 5
W=/tmp/vd-bl/$T
rm -rf "$W" && mkdir -p "$W/sc" || exit 1
cp -r "$C" "$W/sc/" || exit 1
find "$W/sc" -name '*.yaml' -exec sed -i -E 's/^expect: .*$/expect: clean/' {} + || exit 1
jobs=(); [ "$J" -gt 1 ] && jobs=(-j "$J")
"${lock[@]}" "$F" run "$W/sc" --rounds "$R" "${jobs[@]}" -q --baseline "$W/bl.json" \
  --update-baseline -o "$W/out-0" "$@" > "$W/run-0.log" 2>&1
echo "$T baseline: exit $? $(python3 -c "import json; d=json.load(open('$W/out-0/results.json')); print(len(d['findings']), 'findings in', len(d['groups']), 'groups')")"
fails=0
for i in 1 2 3 4 5; do
  "${lock[@]}" "$F" run "$W/sc" --rounds "$R" "${jobs[@]}" -q --baseline "$W/bl.json" \
    -o "$W/out-$i" "$@" > "$W/run-$i.log" 2>&1
  rc=$?
  new=$(python3 -c "import json; d=json.load(open('$W/out-$i/results.json')); print(len(d['findings']), 'findings;', ' '.join('[%s: %s]' % (g['name'], ', '.join(g.get('scenarios', []))) for g in d['groups'] if g['new']))")
  case "$new" in *"["*) fails=$((fails+1));; esac
  echo "$T rerun $i: exit $rc, $new"
done
echo "$T: $fails of 5 reruns had a NEW group"
