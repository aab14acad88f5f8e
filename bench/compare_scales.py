"""Each page's median at a large scale beside a small one (files of `pages_bench.py --save`).

    .venv/bin/python bench/compare_scales.py small.json large.json

A page "does not follow the table's size" when its median at the large scale is at most
TARGET times its median at the small one (the issue asks 1.3x from --scale 0.1 to 10). Pages
are matched by name with their numbers left out: a deep page is the same position in the
list ("page 90%"), and the busiest city is the busiest at each scale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TARGET = 1.3


def pages(path: Path) -> tuple[int, dict[str, float], list[float]]:
    saved = json.loads(path.read_text())
    medians = {}
    for name, figures in saved["pages"].items():
        medians[re.sub(r"\s*\(.*\)|\d[\d,]*", "N", name).replace("NN", "N")] = figures["median"]
    return saved["consultations"], medians, saved.get("machine_check_ms", [])


def main() -> None:
    small_rows, small, small_checks = pages(Path(sys.argv[1]))
    large_rows, large, large_checks = pages(Path(sys.argv[2]))
    for rows, checks in ((small_rows, small_checks), (large_rows, large_checks)):
        if checks:  # the machine's speed during each run: compare like with like
            before, after = checks
            print(f"Machine check of the {rows:,} run: {before:.0f} ms before, {after:.0f} after.")
    print(
        f"| page | {small_rows:,} consultations ms | {large_rows:,} ms | ratio | within {TARGET}x |"
    )
    print("|---|---:|---:|---:|---|")
    within = 0
    for name, small_median in small.items():
        if name not in large:
            continue
        ratio = large[name] / small_median
        within += ratio <= TARGET
        print(
            f"| {name} | {small_median:.1f} | {large[name]:.1f} | {ratio:.2f} "
            f"| {'yes' if ratio <= TARGET else 'no'} |"
        )
    print(f"\nWithin {TARGET}x: {within} of {len(small)} pages.")


if __name__ == "__main__":
    main()
