#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the bulknet test router under QEMU TCG and run a script in it.

The guest is a q35 machine with two igb ports, each on its own PCIe root port,
joined back to back on one QEMU hub. Its root is the host's, read-only over
9p, so the script sees this work tree and the host's tools at the same paths.

  vm.py [--icount | --wall] [--debug] [--timeout S] SCRIPT [ARGS...]

--icount (default) runs one vCPU with -icount shift=0,sleep=off: guest time is
guest instructions, so pktgen results are deterministic and 1e9/pps is
instructions per packet. --wall runs two vCPUs with multi-threaded TCG (the
guest kernels find both in ACPI's MADT). --debug boots the debug kernel (lockdep, KASAN,
kmemleak, DEBUG_NET; make check) instead of the performance kernel (make
bench). The script's output is printed and its exit status returned; on
failure or timeout the tail of the serial log is printed.
"""

import argparse
import ctypes
import mmap
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get("BULKNET_CACHE", "/var/cache/bulknet")
EXIT_MARK = "BULKNET-EXIT: "


def die(msg):
    print(f"bulknet vm: {msg}", file=sys.stderr)
    sys.exit(2)


def initramfs():
    """Build (once) the initramfs: busybox-static and our /init."""
    out = os.path.join(CACHE, "initramfs.cpio")
    init = os.path.join(HERE, "guest", "init")
    busybox = shutil.which("busybox") or "/bin/busybox"
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(init):
        return out
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "bin"))
        shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
        shutil.copy(init, os.path.join(root, "init"))
        os.chmod(os.path.join(root, "init"), 0o755)
        files = subprocess.run(["find", "."], cwd=root, check=True,
                               capture_output=True, text=True).stdout
        cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                              input=files.encode(), check=True, capture_output=True).stdout
    # make check boots two guests at once: each writes its own temporary
    # file, and the rename makes whichever finishes last the one in place.
    tmp = f"{out}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(cpio)
    os.replace(tmp, out)
    return out


def kept_dirs(script):
    """The host directories the guest script needs: the guest's init keeps them
    visible when it mounts tmpfs over /tmp and friends (CI may clone under /tmp)."""
    dirs = [os.getcwd(), CACHE, os.path.dirname(os.path.abspath(script))]
    dirs += [os.environ[v] for v in ("BULKNET_MODULES",) if v in os.environ]
    keep = []
    for d in dirs:
        d = os.path.realpath(d)
        if any(c in d for c in " ,\t\n"):
            die(f"{d}: the test router cannot pass a path with spaces or commas to its guest")
        if d not in keep:
            keep.append(d)
    return ",".join(keep)


# The kernels kernel.sh builds: the performance kernel and the debug kernel.
FLAVOURS = {"perf": "build", "debug": "build-debug"}


def kernel_path(flavour):
    return os.path.join(CACHE, FLAVOURS[flavour], "arch/x86/boot/bzImage")


def host_tsc_khz():
    """The host's TSC rate in kHz, measured against its monotonic clock.

    Under TCG without -icount the guest's TSC is the host's (QEMU reads the
    host's TSC for RDTSC), and the guest kernel cannot calibrate it: this
    config has no HPET or PM timer to refine against, and the emulated PIT is
    too noisy. It then marks the TSC unstable and keeps time with jiffies,
    so every time stamp in the guest is a tick wide (pktgen, which divides by
    the length of its run, divided by zero). The measured rate is handed to
    the guest with tsc_early_khz=.
    """
    # rdtsc; shl $32, %rdx; or %rdx, %rax; ret
    code = bytes.fromhex("0f31" "48c1e220" "4809d0" "c3")
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    rdtsc = ctypes.CFUNCTYPE(ctypes.c_uint64)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
    t0, c0 = time.monotonic_ns(), rdtsc()
    time.sleep(0.2)
    t1, c1 = time.monotonic_ns(), rdtsc()
    return round((c1 - c0) * 1_000_000 / (t1 - t0))


def qemu_cmd(kernel, mode, run, keep, cmdline, flavour="perf", plugin=None, trace=None):
    # The guest's time of day and its RDRAND numbers do not come from the host either.
    accel = ["-accel", "tcg", "-icount", "shift=0,sleep=off", "-smp", "1",
             "-rtc", "base=2026-01-01T00:00:00,clock=vm", "-seed", "1"]
    wall = []
    if mode == "wall":
        accel = ["-accel", "tcg,thread=multi", "-smp", "2"]
        # The guest keeps the host's files in its page cache (see guest/init).
        # Not in icount mode, whose command line stays what the benchmarks'
        # figures were measured with (9p cache=none).
        wall = ["bulknet.9p_cache=loose"]
        # A clock that keeps the host's time (see host_tsc_khz); the vCPUs
        # read one TSC, so it needs no synchronisation checks either.
        wall += [f"tsc_early_khz={host_tsc_khz()}", "tsc=reliable"]
    # The debug kernel: KASAN's shadow takes an eighth of memory, and its
    # reports and lockdep's are long, so the log buffer is larger.
    memory, extra, cpu = "1G", [], "max"
    if flavour == "debug":
        memory, extra = "2G", ["log_buf_len=4M"]
        # 4-level paging: with LA57, KASAN reported a wild-memory-access on
        # an irq_desc lock in an interrupt during early boot, in some boots.
        cpu = "max,la57=off"
    append = " ".join([
        "console=ttyS0", "quiet", "panic=-1", "oops=panic", "slab_nomerge", *extra,
        f"bulknet.run={run}", f"bulknet.keep={keep}", *wall, cmdline,
    ]).strip()
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", cpu, "-m", memory,
           "-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio",
           *accel, "-kernel", kernel, "-initrd", initramfs(), "-append", append,
           "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on"]
    if plugin:
        cmd += ["-plugin", plugin]
    if trace:
        cmd += ["-trace", trace]
    for port in (0, 1):
        cmd += ["-device", f"pcie-root-port,id=rp{port},chassis={port + 1},slot={port + 1}",
                "-netdev", f"hubport,id=net{port},hubid=0",
                "-device", f"igb,bus=rp{port},netdev=net{port},mac=52:54:00:12:34:{0x56 + port:02x}"]
    return cmd


def run_vm(script, args=(), mode="icount", timeout=600, cmdline="", kernel=None, echo=True,
           flavour="perf", plugin=None, trace=None):
    """Run `script ARGS` in the guest; return (exit status, output lines)."""
    kernel = kernel or kernel_path(flavour)
    if not os.path.exists(kernel):
        target = "kernel-debug" if flavour == "debug" else "kernel"
        die(f"no kernel at {kernel}: run 'make {target}' first")
    rundir = os.path.join(CACHE, "run")
    os.makedirs(rundir, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=rundir, suffix=".sh", delete=False) as f:
        f.write("cd " + shlex.quote(os.getcwd()) + "\n")
        if os.path.exists(script):
            script = os.path.abspath(script)
        f.write("exec " + " ".join(shlex.quote(a) for a in [script, *args]) + "\n")
        wrapper = f.name
    lines, status = [], None
    keep = kept_dirs(script)
    proc = subprocess.Popen(qemu_cmd(kernel, mode, wrapper, keep, cmdline, flavour, plugin,
                                     trace),
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import selectors
        import time
        deadline = time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                lines.append(f"bulknet vm: timeout after {timeout}s")
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            for raw in done:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                if line.startswith(EXIT_MARK):
                    status = int(line[len(EXIT_MARK):].strip() or 125)
                    continue
                lines.append(line)
                if echo:
                    print(line, flush=True)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.unlink(wrapper)
    if status is None:
        status = 124
        log = lines[-40:]
        print("bulknet vm: the guest did not finish; last lines of its serial log:", file=sys.stderr)
        for line in log:
            print("  | " + line, file=sys.stderr)
    return status, lines


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group()
    g.add_argument("--icount", dest="mode", action="store_const", const="icount")
    g.add_argument("--wall", dest="mode", action="store_const", const="wall")
    p.add_argument("--debug", dest="flavour", action="store_const", const="debug", default="perf",
                   help="boot the debug kernel (make check's) instead of the performance kernel")
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--cmdline", default="", help="extra kernel command line")
    p.add_argument("--kernel")
    p.add_argument("--plugin", help="a TCG plugin and its arguments, as -plugin takes them")
    p.add_argument("--trace", help="QEMU trace events, as -trace takes them "
                   "(profile/irq_cycles.py reads the igb model's)")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    status, lines = run_vm(a.script, a.args, a.mode or "icount", a.timeout, a.cmdline, a.kernel,
                           flavour=a.flavour, plugin=a.plugin, trace=a.trace)
    if status != 0 and status != 124:
        print(f"bulknet vm: {a.script} exited with status {status}; last lines:", file=sys.stderr)
        for line in lines[-20:]:
            print("  | " + line, file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
