# Shared helpers for integration tests (sourced, not a test itself).
set -u
BUILD=${BUILD:-build}
VMDBG=${VMDBG:-$BUILD/vmdbg}
TMP=$(mktemp -d /tmp/vmdbg-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

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
