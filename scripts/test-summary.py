#!/usr/bin/env python3
"""Sum meson test results (testlog.json files) into one 'N passed, N failed' line.

A missing log counts as one failure: the suite did not even run.
Skipped tests are listed with their reason but count as neither.
"""
import json
import sys


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.strip()]
        except OSError:
            print(f"{path}: no test log (the suite did not run)")
            failed += 1
            continue
        for t in lines:
            result = t.get("result")
            name = f"{t.get('suite', [''])[0] if t.get('suite') else ''} {t.get('name')}"
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
                print(f"skipped: {name}")
            else:
                failed += 1
                print(f"failed: {name} ({result})")
    if skipped:
        print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
