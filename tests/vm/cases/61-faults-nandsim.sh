# credstored on a failing nandsim: random correctable bit flips on reads
# (bitflips=1), a page in every eraseblock that fails its third program
# (weakpages=B*64+5:2) and eraseblocks that fail their first or second
# erase (weakblocks=3:0,9:1), while credctl adds and rotates devices in
# batches.  Every acknowledged change must be there after the run and
# after a restart; blocks went bad and the store says so.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=16 bitflips=1 weakblocks=3:0,9:1 weakpages=5:2,69:2,133:2,197:2,261:2,325:2,389:2,453:2,517:2,581:2,645:2,709:2,773:2,837:2,901:2,965:2
# vm-module: none
# vm-timeout: 600
DAEMON_ARGS="--mtd /dev/mtd0 --no-module"
. "$REPO/tests/native/credstored-env.bash"
ROUNDS=${FAULT_ROUNDS:-40}

in_shell "credstored formats the failing partition and starts" start_daemon
# Each round: one batch (one commit) of 8 device adds, then a master
# fingerprint reset of one of them; journalled as the kill test does.
: >"$T/journal"
for r in $(seq "$ROUNDS"); do
	: >"$T/b"
	for i in $(seq 8); do
		printf -v fp '%032x%032x' "$r" "$i"
		echo "device add f$r-$i --fingerprint $fp --secret secret-of-device-f$r-$i" >>"$T/b"
		echo "pending f$r-$i $fp" >>"$T/journal"
	done
	if $BIN/credctl --timeout 30 store batch "$T/b" >/dev/null 2>>"$T/errors"; then
		sed -n "s/^pending \(f$r-.*\)/acked \1/p" "$T/journal" >>"$T/journal.acked"
	fi
	printf -v fp '%032x%032x' "$r" 99
	echo "pending f$r-1 $fp" >>"$T/journal"
	$BIN/credctl --timeout 30 device reset-fingerprint "f$r-1" --master --fingerprint "$fp" \
		>/dev/null 2>>"$T/errors" && echo "acked f$r-1 $fp" >>"$T/journal.acked"
done
cat "$T/journal.acked" >>"$T/journal"
echo "# $(wc -l <"$T/journal.acked") changes acknowledged of $(grep -c pending "$T/journal")"
echo "# refusals: $(sort "$T/errors" | uniq -c | head -5 | tr '\n' ';')"

verify_journal() {
	$BIN/credctl -j device list >"$T/list.json" || return 1
	python3 - "$T/journal" "$T/list.json" <<'PY'
import json, sys
must, allowed = {}, {}
for state, dev, fp in (l.split() for l in open(sys.argv[1])):
    allowed.setdefault(dev, set()).add(fp)
    if state == "acked":
        must[dev] = fp
actual = {d["id"]: d["master_fingerprint"] for d in json.load(open(sys.argv[2]))["devices"]}
bad = [d for d in must if actual.get(d) not in allowed[d]]
for d in bad:
    print("device %s: stored %s, acknowledged %s" % (d, actual.get(d), must[d]))
print("%d acknowledged devices checked" % len(must))
sys.exit(1 if bad else 0)
PY
}
check_output "every acknowledged change is there" 'acknowledged devices checked' verify_journal
$CREDCTL store status | sed 's/^/# /'
check_output "blocks went bad and the store counts them" 'bad_blocks: [1-9]' $CREDCTL store status
in_shell "credstored stops" stop_daemon
in_shell "credstored mounts again" start_daemon
check_output "after the restart every acknowledged change is still there" \
	'acknowledged devices checked' verify_journal
grep -Ei 'bad|relocat|scrub|lost' "$T/daemon.log" | sort | uniq -c | head -8 | sed 's/^/# log: /'
finish
