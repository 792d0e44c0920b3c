"""A progress line for long commands (seeding, benchmarks): redrawn in place on a terminal,
a plain line every tenth otherwise, nothing when quiet."""

import sys
import time


class Progress:
    def __init__(self, label: str, total: int, *, stream=None, quiet: bool = False):
        self.label, self.total, self.done = label, max(total, 0), 0
        self.stream = stream or sys.stderr
        self.quiet = quiet or total <= 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._last_tenth = -1

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if self.quiet:
            return
        tenth = self.done * 10 // self.total
        if self.tty:
            self._draw("\r", "")
        elif tenth != self._last_tenth:
            self._draw("", "\n")
        self._last_tenth = tenth

    def close(self) -> None:
        if not self.quiet and self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, head: str, tail: str) -> None:
        share = self.done / self.total
        bar = "█" * int(share * 30)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"{head}{self.label} |{bar:<30}| {self.done:,}/{self.total:,} "
            f"({share:.0%}, {elapsed:.0f}s){tail}"
        )
        self.stream.flush()
