"""Small helpers shared by the functional tests (stdlib only, TAP output)."""
import os
import sys

EMU = os.environ.get("EMU_BINARY", "build/emu")


class Tap:
    """Minimal TAP producer: ok/not ok lines, then the plan, exit status."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, cond, desc, detail=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {desc}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {desc}")
            for line in str(detail).splitlines():
                print(f"# {line}")
        sys.stdout.flush()
        return cond

    def skip_all(self, reason):
        # TAP's way to skip a whole file; meson reports it as SKIP.
        print(f"1..0 # SKIP {reason}")
        sys.exit(0)

    def done(self):
        print(f"1..{self.n}")
        sys.exit(1 if self.failed else 0)
