#!/usr/bin/env python3
"""Writes pyyaml-fingerprints.txt: for every Dify DSL file under shared/data/dify, the SHA-256 of a
type-exact fingerprint of what PyYAML's safe_load (Dify's reader) makes of it. The C# test computes the same
fingerprint from DifyWorkflowCodec.Parse and compares. Usage: make-pyyaml-fingerprints.py <shared/data/dify>

Fingerprint: None -> n; bool -> t/f; int -> i<decimal>; ; float -> d<IEEE-754 big-endian hex>;
str -> s<utf8 length>:<utf8 bytes>; list -> [ items ]; dict -> { key value ... } in document order.
"""
import glob, hashlib, os, struct, sys, yaml

def fp(o, out):
    if o is None: out += b"n"
    elif o is True: out += b"t"
    elif o is False: out += b"f"
    elif isinstance(o, int): out += b"i" + str(o).encode() + b";"
    elif isinstance(o, float): out += b"d" + struct.pack(">d", o).hex().encode() + b";"
    elif isinstance(o, str):
        b = o.encode("utf-8"); out += b"s" + str(len(b)).encode() + b":" + b
    elif isinstance(o, list):
        out += b"["
        for x in o: fp(x, out)
        out += b"]"
    elif isinstance(o, dict):
        out += b"{"
        for k, v in o.items(): fp(k, out); fp(v, out)
        out += b"}"
    else: raise TypeError(type(o))

root = sys.argv[1]
rows = []
for path in sorted(glob.glob(os.path.join(root, "workflows", "*.yml")) + glob.glob(os.path.join(root, "histories", "*", "*.yml"))):
    rel = os.path.relpath(path, root)
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    buf = bytearray(); fp(doc, buf)
    g = doc["workflow"]["graph"]
    rows.append(f"{rel}\t{hashlib.sha256(buf).hexdigest()}\t{len(g['nodes'])}\t{len(g.get('edges') or [])}")
print(f"# PyYAML {yaml.__version__} safe_load fingerprints; columns: path sha256 nodes edges")
print("\n".join(rows))
