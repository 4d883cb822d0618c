#!/usr/bin/env python3
"""Which .NET assemblies carry ReadyToRun code: build/readytorun-check.py FILE.dll...

Prints, per file, "ReadyToRun <machine>" (the CLI header's ManagedNativeHeader directory is set: precompiled code is
inside) or "IL only", and exits 1 when any file is IL only or not a .NET assembly. Used by build/pack-check.sh on the
packages' runtimes/linux-x64 assets and by benchmarks/first-walk.sh on the images it measures.
"""
import struct
import sys

# ReadyToRun images mark the target OS by XOR-ing the machine field (0x8664 = x64).
OS_XOR = {0x0000: "windows", 0x7B79: "linux", 0x4644: "osx", 0xADC4: "freebsd", 0x1993: "netbsd"}


def readytorun(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"MZ":
        return None, "not a PE file"
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        return None, "not a PE file"
    machine, sections, _, _, _, optional_size, _ = struct.unpack_from("<HHIIIHH", data, pe + 4)
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (112 if magic == 0x20B else 96)
    cli_rva, cli_size = struct.unpack_from("<II", data, directories + 14 * 8)
    if cli_size == 0:
        return None, "not a .NET assembly"
    table = optional + optional_size

    def offset(rva):
        for i in range(sections):
            _, vsize, vaddr, rawsize, rawptr = struct.unpack_from("<8sIIII", data, table + 40 * i)
            if vaddr <= rva < vaddr + max(vsize, rawsize):
                return rva - vaddr + rawptr
        raise ValueError(f"RVA {rva:#x} is in no section")

    # IMAGE_COR20_HEADER: ManagedNativeHeader is the directory at offset 64.
    native_rva, native_size = struct.unpack_from("<II", data, offset(cli_rva) + 64)
    if native_size == 0:
        return False, "IL only"
    arch = {0x8664: "x64", 0xAA64: "arm64", 0x14C: "x86", 0x1C4: "arm"}
    for xor, os_name in OS_XOR.items():
        if (machine ^ xor) in arch:
            return True, f"ReadyToRun {os_name}-{arch[machine ^ xor]}"
    return True, f"ReadyToRun machine {machine:#x}"


def main(paths):
    bad = 0
    for path in paths:
        ok, what = readytorun(path)
        print(f"{path}: {what}")
        bad += not ok
    return 1 if bad or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
