# credstore.ko: load, use and unload 100 times without a leak.  The
# module counts its entries and warns at unload unless none is left (the
# harness fails a case on a warning in dmesg); /proc/slabinfo's kmalloc
# caches must come back to where they were, within less than one object
# per cycle.  One csnl process loads and unloads (finit_module,
# delete_module), so that the cycles cost no process starts.
# vm-timeout: 600
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
CYCLES=100
make_identity "$T" web || exit 1
# A 3 KiB chain: each leaked identity would show in kmalloc-4k.
cat "$T/web.der" "$T/web.der" "$T/web.der" "$T/web.der" "$T/web.der" \
	"$T/web.der" "$T/web.der" > "$T/chain.der"
KO=$T/credstore.ko
cp "$CREDSTORE_KO" "$KO"
FP=$(printf '11%.0s' $(seq 32)) SFP=$(printf '22%.0s' $(seq 32))

for i in $(seq $CYCLES); do
	cat <<EOT
load $KO max_entries=1000
reconnect
begin 1 ; records identity web $T/chain.der , anchor root $T/chain.der , device d1 mfp=$FP sfp=$SFP msec=01 ssec=02
gen-devices g 200 50 ; commit
identity web ; anchor ; device ; verify-fp $SFP ; verify-secret d1 02 ; secrets d1
update 2 identity web $T/chain.der , device d1 mfp=$SFP
retract 3 anchor root ; update 4 identity other $T/chain.der
begin 5 ; records identity pending $T/chain.der
reconnect
begin 6 ; records identity pending $T/chain.der , device p1 mfp=$FP
unload credstore
EOT
done > "$T/cycles"

slabs() {
	awk '$1 ~ /^kmalloc-(256|512|1k|2k|4k|8k)$/ { n[$1] = $2 }
	     END { for (c in n) print c, n[c] }' /proc/slabinfo | sort
}
check "unload the harness's instance" rmmod credstore
sync; echo 3 > /proc/sys/vm/drop_caches
slabs > "$T/before"
check "$CYCLES cycles of load, publish, query, update, retract, unload" \
	sh -c "$CSNL - < $T/cycles > /dev/null"
sync; echo 3 > /proc/sys/vm/drop_caches
slabs > "$T/after"
echo "# kmalloc active objects, before and after:"
join "$T/before" "$T/after" | sed 's/^/#   /'
check "no kmalloc cache grew by $CYCLES/2 objects or more" \
	sh -c "join $T/before $T/after | awk -v lim=$((CYCLES / 2)) '\$3 - \$2 >= lim { bad++ } END { exit bad }'"
check "the module is gone" sh -c '! lsmod | grep -q "^credstore "'
finish
