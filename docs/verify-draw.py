#!/usr/bin/env python3
"""Re-derive an inspectd draw (method rfc3797-v1) from the published pool file and key.

Independent of inspectd: only Python's standard library. Usage:

    inspectctl task pool T2026-0001 --out pool.txt      # or the file the bureau published
    python3 docs/verify-draw.py pool.txt                # key from the file's header
    python3 docs/verify-draw.py pool.txt --key '9319./2.5.8.10.12./'

It checks each stratum's SHA-256 and prints the picked ids in pick order, numbered
n = 1, 2, … across strata; compare them with the published target list.
RFC 3797 §4-§5: for pick i, h = MD5(be16(i) + key + be16(i)), j = h mod remaining,
take the j-th not-yet-picked element (0-based). Stratum s uses key + "s./".
"""
import hashlib
import sys


def select(key, pool, k):
    remaining = list(pool)
    picks = []
    for i in range(min(k, len(pool))):
        b = i.to_bytes(2, "big")
        h = int.from_bytes(hashlib.md5(b + key.encode() + b).digest(), "big")
        picks.append(remaining.pop(h % len(remaining)))
    return picks


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    key = None
    if "--key" in args:
        key = args[args.index("--key") + 1]
    strata = []
    with open(args[0], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# inspectd pool") and key is None and " key " in line:
                key = line.split(" key ", 1)[1].strip()
            elif line.startswith("# stratum"):
                words = line.split()
                strata.append({"ordinal": int(words[2]), "k": int(words[6]), "sha256": words[8], "ids": []})
            elif line and not line.startswith("#"):
                strata[-1]["ids"].append(line)
    if key is None:
        sys.exit("no key: the task is not drawn yet, or pass --key")
    n = 0
    ok = True
    for s in strata:
        digest = hashlib.sha256("\n".join(s["ids"]).encode()).hexdigest()
        status = "sha256 ok" if digest == s["sha256"] else "SHA256 MISMATCH (" + digest + ")"
        ok = ok and digest == s["sha256"]
        print(f"# stratum {s['ordinal']}: {len(s['ids'])} ids, k {s['k']}, {status}")
        for pick in select(key + f"{s['ordinal']}./", s["ids"], s["k"]):
            n += 1
            print(n, pick)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
