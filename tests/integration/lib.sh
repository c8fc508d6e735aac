# Shared helpers for integration tests (sourced, not a test itself).
set -u
BUILD=${BUILD:-build}
VMDBG=${VMDBG:-$BUILD/vmdbg}
TMP=$(mktemp -d /tmp/vmdbg-test.XXXXXX)
NO_REPLAY=""	# traces under $TMP a test spoils on purpose (see replay_recorded)

# replay_recorded: when a test passed, every trace it recorded on emu and
# left in $TMP must replay exactly (`vmdbg replay`, status 0): so the whole
# suite checks that recording and replay agree.  The image is found next
# to the trace or in $BUILD/guests.  A test names in NO_REPLAY (paths
# relative to $TMP) the traces it damaged, edited or orphaned on purpose.
# kvm traces are left to test_replay_kvm.sh (--compare classes: this
# host's nested KVM differs from emu where the probe says).
replay_recorded() {
	[ "${VMDBG_REPLAY_CHECK:-1}" = 1 ] || return 0
	for f in $(cd "$TMP" && find . -name '*.vtr' -size +100c | sed 's|^\./||' | sort); do
		case " $NO_REPLAY " in *" $f "*) continue ;; esac
		hdr=$("$VMDBG" trace show "$TMP/$f" --first 1 2>/dev/null | head -2)
		case $hdr in *", backend emu, "*) ;; *) continue ;; esac
		img=$(printf '%s\n' "$hdr" | sed -n 's/^trace .*: image \(.*\) (sha256.*/\1/p')
		set --
		for d in "$BUILD/guests" "$BUILD/guests/hostile"; do
			if [ ! -f "$(dirname "$TMP/$f")/$img" ] && [ -f "$d/$img" ]; then
				set -- --image "$d/$img"
				break
			fi
		done
		if ! "$VMDBG" replay "$TMP/$f" "$@" </dev/null >"$TMP/.replay" 2>&1; then
			cat "$TMP/.replay"
			echo "FAIL: the trace $f this test recorded does not replay"
			return 1
		fi
	done
}
trap 'st=$?; if [ $st -eq 0 ] && ! replay_recorded; then st=1; fi; rm -rf "$TMP"; exit $st' EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "skip: $*"; exit 77; }

# need_kvm: skip (a failure under CI=true) when /dev/kvm cannot be opened.
need_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm is not usable here"
}

# expect_status WANT CMD...: run CMD, check its exit status.
expect_status() {
	want=$1; shift
	"$@" >"$TMP/out" 2>"$TMP/err"; got=$?
	[ "$got" -eq "$want" ] || { cat "$TMP/out" "$TMP/err"; fail "'$*' exited $got, wanted $want"; }
}

# same FILE_WANT FILE_GOT: byte comparison with a diff on failure.
same() {
	diff -u "$1" "$2" || fail "$2 differs from $1"
}

# has_line FILE TEXT: FILE has a line that is exactly TEXT.
has_line() {
	grep -qxF -- "$2" "$1" || { cat "$1"; fail "no line '$2' in $1"; }
}

# contains FILE TEXT
contains() {
	grep -qF -- "$2" "$1" || { cat "$1"; fail "'$2' not found in $1"; }
}

# need_kvm_real_int: skip unless this host's KVM runs real-mode `int n`
# (the probe), which vmdbg's BIOS services need there.
need_kvm_real_int() {
	need_kvm
	"$VMDBG" --probe | grep -q '^int n in real mode  *ok' ||
		skip "this host's KVM cannot run real-mode int n (vmdbg --probe)"
}
