#!/usr/bin/env python3
"""qemu-events.py - turn a QEMU single-step log of a lecture guest into the
expected vmdbg trap sequence.  Developer tool (needs python3); the files it
writes under tests/guests/expected/ are committed, tests only read them.

usage: qemu-events.py LOG ELF MODE EVENTS_OUT STEPS_OUT
  LOG   QEMU -d exec,cpu,nochain,int log with `singlestep on`, started at
        the guest's first instruction (see qemu-trace.sh)
  ELF   the image with symbols (boot16.elf, lecture32.img, lecture64.img)
  MODE  16, 32 or 64 (how to disassemble)

EVENTS_OUT gets the run-mode traps, one per line, in order:
  io dir=out|in port= size= value= cpl= at=
  softint vector= cpl= at=              (int n)
  exception vector= error= [cr2=] cpl= at=
  syscall insn=sysenter|syscall nr= cpl= at=
  msr dir=in|out msr= value= cpl= at=   (rdmsr, wrmsr)
  cpuid leaf= subleaf= cpl= at=
  return insn=iret|sysexit|sysret to= cpl= at=   (only returns to ring 3)
STEPS_OUT gets every executed privileged or sensitive instruction (what
step mode reports): insn cpl= at= [faulted]
"""
import re
import subprocess
import sys

log_path, elf, mode, events_out, steps_out = sys.argv[1:6]

# ---- symbols and disassembly ------------------------------------------
syms = []
for line in subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[1] in "tTdDbBrR" and not f[2].startswith(".L"):
        syms.append((int(f[0], 16), f[2]))


def where(addr):
    best = None
    for a, n in syms:
        if a <= addr:
            best = (a, n)
        else:
            break
    if best is None:
        return hex(addr)
    off = addr - best[0]
    return best[1] if off == 0 else "%s+0x%x" % (best[1], off)


objdump = ["objdump", "-d", "-w", "--no-show-raw-insn"]
if mode == "16":
    objdump += ["-m", "i8086"]
insns = {}
for line in subprocess.run(objdump + [elf], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    m = re.match(r"\s*([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
    if m:
        insns[int(m.group(1), 16)] = (m.group(2), m.group(3).split("#")[0].strip())

# ---- the log ----------------------------------------------------------
# Each executed instruction: ("insn", pc, regs); exceptions and interrupts:
# ("int", fields).  regs are the CPU state *before* the instruction.
entries = []
cur = None
for line in open(log_path, errors="replace"):
    if line.startswith("Trace "):
        m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
        cur = {"pc": int(m.group(1), 16)}
        entries.append(("insn", cur))
        continue
    # A TB abandoned before its first instruction ran (an exit request
    # from the host side): QEMU logged it, then says so.  It runs again.
    m = re.match(r"Stopped execution of TB chain before \S+ \[([0-9a-f]+)\]", line)
    if m:
        if cur is not None and entries and entries[-1][1] is cur and cur["pc"] == int(m.group(1), 16):
            entries.pop()
        cur = None
        continue
    m = re.match(r"\s*\d+: v=([0-9a-f]+) e=([0-9a-f]+) i=(\d) cpl=(\d) IP=[0-9a-f]+:([0-9a-f]+)", line)
    if m:
        cr2 = re.search(r"CR2=([0-9a-f]+)", line)
        entries.append(("int", {"v": int(m.group(1), 16), "e": int(m.group(2), 16),
                                "soft": m.group(3) == "1", "cpl": int(m.group(4)),
                                "ip": int(m.group(5), 16),
                                "cr2": int(cr2.group(1), 16) if cr2 else None}))
        cur = None
        continue
    if cur is not None:
        for k, v in re.findall(r"\b([A-Z][A-Z0-9]{1,3})=([0-9a-f]+)\b", line):
            cur.setdefault(k, int(v, 16))

PRIV = {
    "hlt": "hlt", "cli": "cli", "sti": "sti",
    "in": "in", "out": "out", "ins": "ins", "outs": "outs",
    "lgdt": "lgdt", "lidt": "lidt", "lldt": "lldt", "ltr": "ltr",
    "sgdt": "sgdt", "sidt": "sidt", "sldt": "sldt", "str": "str",
    "smsw": "smsw", "lmsw": "lmsw", "clts": "clts", "invlpg": "invlpg",
    "wbinvd": "wbinvd", "invd": "invd", "rdmsr": "rdmsr", "wrmsr": "wrmsr",
    "cpuid": "cpuid", "rdtsc": "rdtsc", "rdtscp": "rdtscp", "rdpmc": "rdpmc",
    "syscall": "syscall", "sysret": "sysret", "sysenter": "sysenter",
    "sysexit": "sysexit", "iret": "iret", "int": "int", "int3": "int3",
    "into": "into", "ud2": "ud2", "lar": "lar", "lsl": "lsl", "verr": "verr",
    "verw": "verw", "swapgs": "swapgs", "vmcall": "vmcall", "xsetbv": "xsetbv",
    "pushf": "pushf", "popf": "popf",
}
SREG = re.compile(r"%(cs|ds|es|ss|fs|gs)\b")


def classify(mn, ops):
    """vmdbg-style instruction name, or None."""
    base = mn
    if base in ("rep", "repz", "repnz", "data16", "addr32"):
        return None
    for pfx in ("pushf", "popf", "iret", "sysret", "sysexit", "lgdt", "lidt",
                "sgdt", "sidt", "ins", "outs", "int3"):
        if base.startswith(pfx) and (base == pfx or base[len(pfx):] in ("w", "l", "q", "b")):
            return PRIV[pfx]
    if base in PRIV:
        return PRIV[base]
    if base.startswith("mov"):
        if re.search(r"%cr\d", ops):
            return "mov_cr"
        if re.search(r"%db\d|%dr\d", ops):
            return "mov_dr"
        m = SREG.search(ops)
        if m:
            # AT&T: source first.  "mov %ax,%ds" loads a segment register.
            return "mov_to_sreg" if ops.rstrip().endswith(m.group(0)) else "mov_from_sreg"
    if base.startswith("push") and SREG.search(ops):
        return "push_sreg"
    if base.startswith("pop") and SREG.search(ops):
        return "pop_sreg"
    return None


def reg(r, name, size=None):
    for k in ("R" + name, "E" + name, name):
        if k in r:
            v = r[k]
            break
    else:
        v = 0
    if size:
        v &= (1 << (8 * size)) - 1
    return v


def io_port(ops, r):
    m = re.search(r"\$0x([0-9a-f]+)", ops)
    return int(m.group(1), 16) if m else reg(r, "DX", 2)


def io_size(ops):
    return 1 if "%al" in ops else 2 if "%ax" in ops else 4


events, steps = [], []
for i, (kind, e) in enumerate(entries):
    if kind == "int":
        # Software interrupts are taken from the instruction below: QEMU
        # logs them only in protected mode.
        if not e["soft"]:
            cr2 = " cr2=0x%08x" % e["cr2"] if e["v"] == 14 else ""
            events.append("exception vector=0x%02x error=0x%04x%s cpl=%d at=%s"
                          % (e["v"], e["e"], cr2, e["cpl"], where(e["ip"])))
        continue
    pc = e["pc"]
    if pc not in insns:
        continue
    mn, ops = insns[pc]
    name = classify(mn, ops)
    if name is None:
        continue
    cpl = e.get("CPL", 0)
    nxt = next((x for k, x in entries[i + 1:] if k == "insn"), None)
    faulted = i + 1 < len(entries) and entries[i + 1][0] == "int" and not entries[i + 1][1]["soft"]
    steps.append("%s cpl=%d at=%s%s" % (name, cpl, where(pc), " faulted" if faulted else ""))
    if faulted:
        continue
    at = where(pc)
    if name == "out":
        sz = io_size(ops)
        events.append("io dir=out port=0x%03x size=%d value=0x%02x cpl=%d at=%s"
                      % (io_port(ops, e), sz, reg(e, "AX", sz), cpl, at))
    elif name == "in":
        sz = io_size(ops)
        events.append("io dir=in port=0x%03x size=%d value=0x%02x cpl=%d at=%s"
                      % (io_port(ops, e), sz, reg(nxt, "AX", sz), cpl, at))
    elif name in ("int", "int3", "into"):
        m = re.search(r"\$0x([0-9a-f]+)", ops)
        vec = int(m.group(1), 16) if m else 3 if name == "int3" else 4
        events.append("softint vector=0x%02x cpl=%d at=%s" % (vec, cpl, at))
    elif name in ("sysenter", "syscall"):
        events.append("syscall insn=%s nr=%d cpl=%d at=%s" % (name, reg(e, "AX"), cpl, at))
    elif name == "wrmsr":
        events.append("msr dir=out msr=0x%x value=0x%x cpl=%d at=%s"
                      % (reg(e, "CX", 4), (reg(e, "DX", 4) << 32) | reg(e, "AX", 4), cpl, at))
    elif name == "rdmsr":
        events.append("msr dir=in msr=0x%x value=0x%x cpl=%d at=%s"
                      % (reg(e, "CX", 4), (reg(nxt, "DX", 4) << 32) | reg(nxt, "AX", 4), cpl, at))
    elif name == "cpuid":
        events.append("cpuid leaf=0x%x subleaf=0x%x cpl=%d at=%s"
                      % (reg(e, "AX", 4), reg(e, "CX", 4), cpl, at))
    elif name in ("iret", "sysexit", "sysret") and nxt is not None and nxt.get("CPL") == 3:
        events.append("return insn=%s to=%s cpl=%d at=%s" % (name, where(nxt["pc"]), cpl, at))

with open(events_out, "w") as f:
    f.write("".join(x + "\n" for x in events))
with open(steps_out, "w") as f:
    f.write("".join(x + "\n" for x in steps))
print("%s: %d events, %d sensitive instructions, %d instructions traced"
      % (elf, len(events), len(steps), sum(1 for k, _ in entries if k == "insn")))
