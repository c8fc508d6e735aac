# Shared by test_hostile.sh (emu) and test_hostile_kvm.sh (sourced after
# lib.sh): run one guest of tests/guests/hostile/ and check what came of it.
H=$BUILD/guests/hostile

# hostile BACKEND NAME TIMEOUT [OPTIONS]: run NAME.bin (boot_* as a boot
# sector, *64 with --mode 64, else --mode 32 at 0x100000) with --timeout
# TIMEOUT and a trace; leaves the exit status in $st, stderr in
# $TMP/NAME.err, stdout in $TMP/NAME.out.  Fails when the run outlasts its
# timeout by more than 2 s or the trace cannot be read (trace stats, in
# $TMP/NAME.stats).
hostile() {
	be=$1 name=$2 tmo=$3; shift 3
	case $name in
	boot_*) load= ;;
	*64) load="--load 0x100000 --mode 64" ;;
	*) load="--load 0x100000 --mode 32" ;;
	esac
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout $((tmo + 30)) "$VMDBG" run "$H/$name.bin" --backend "$be" $load --timeout "$tmo" \
		-o "$TMP/$name.vtr" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	st=$?
	took=$(($(date +%s) - t0))
	[ $took -le $((tmo + 2)) ] || fail "$be $name: ran ${took} s, past its --timeout $tmo"
	"$VMDBG" trace stats "$TMP/$name.vtr" >"$TMP/$name.stats" 2>&1 ||
		{ cat "$TMP/$name.stats"; fail "$be $name: trace stats cannot read the trace"; }
}

# want_status N: the last run's exit status
want_status() {
	[ "$st" -eq "$1" ] || { cat "$TMP/$name.err"; fail "$be $name: status $st, wanted $1"; }
}

# want_err TEXT: stderr is exactly TEXT (one line)
want_err() {
	[ "$(cat "$TMP/$name.err")" = "$1" ] ||
		fail "$be $name: stderr was '$(cat "$TMP/$name.err")', wanted '$1'"
}

# want_class CLASS N: the trace holds N records of CLASS (0: none)
want_class() {
	got=$(awk -v c="$1" '$1 == c && NF == 3 { print $2 }' "$TMP/$name.stats")
	[ "${got:-0}" -eq "$2" ] || { cat "$TMP/$name.stats"; fail "$be $name: $got $1 records, wanted $2"; }
}

# want_traps N: N trap records in all
want_traps() {
	got=$(awk '$1 == "total" && $2 == "traps" { print $3 }' "$TMP/$name.stats")
	[ "${got:-0}" -eq "$1" ] || { cat "$TMP/$name.stats"; fail "$be $name: $got traps, wanted $1"; }
}
