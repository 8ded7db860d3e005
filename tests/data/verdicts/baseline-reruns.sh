#!/bin/bash
# Baseline stability of scenarios/stdlib set to expect: clean: per file, a baseline at 40 rounds -j 2, then 5 reruns against it; prints the NEW groups of each rerun. Usage: baseline-reruns.sh FTSTRESS_BINARY TAG (works in /tmp/vd-bl, with the corpus copied to /tmp/vd-bl/sc/stdlib and its expect: lines set to clean).
F=$1; T=$2
cd /tmp/vd-bl
for y in sc/stdlib/*.yaml; do
  b=$(basename $y .yaml); rm -f bl-$T-$b.json
  timeout 55 $F run $y --rounds 40 -j 2 -q --baseline bl-$T-$b.json --update-baseline -o out-$T-$b-0 > /dev/null 2>&1
done
fails=0
for i in 1 2 3 4 5; do
  new=""
  for y in sc/stdlib/*.yaml; do
    b=$(basename $y .yaml)
    timeout 55 $F run $y --rounds 40 -j 2 -q --baseline bl-$T-$b.json -o out-$T-$b-$i > /dev/null 2>&1
    n=$(python3 -c "import json; d=json.load(open('out-$T-$b-$i/results.json')); print(' '.join(g['name'].replace(' ','_') for g in d['groups'] if g['new']))")
    [ -n "$n" ] && new="$new $b:[$n]"
  done
  [ -n "$new" ] && fails=$((fails+1))
  echo "$T rerun $i: NEW$new"
done
echo "$T: $fails of 5 reruns had a NEW group"
