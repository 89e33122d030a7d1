"""Print one closing line summing pytest's JUnit XML reports: 'N passed, N failed'."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def totals(paths: list[Path]) -> tuple[int, int, int]:
    passed = failed = skipped = 0
    for path in paths:
        if not path.is_file():
            failed += 1  # a run that wrote no report did not pass
            continue
        for suite in ET.parse(path).getroot().iter("testsuite"):
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += tests - bad - skip
            failed += bad
            skipped += skip
    return passed, failed, skipped


if __name__ == "__main__":
    passed, failed, skipped = totals([Path(arg) for arg in sys.argv[1:]])
    print(f"make test: {passed} passed, {failed} failed, {skipped} skipped")
