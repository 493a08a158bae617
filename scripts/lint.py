#!/usr/bin/env python3
"""`make lint` (run by `make test`, hence CI): swift-format's rule checks, configured in .swift-format
(no force unwraps, no `try!`, no implicitly unwrapped optionals, naming, ...), on Sources/, Tests/,
Examples/ and Package.swift; any finding fails.

Only the rules enabled in .swift-format are enforced. The layout findings of swift-format's pretty
printer (indentation, line breaks, spacing, line length, trailing commas) are not: the code keeps its
own layout (4-space indent, lines up to ~130 columns, aligned continuation lines), and adopting
swift-format's would reformat every file. `swift format lint` has no switch for that, so its output
is filtered here. A message without a [Category] (a file that does not parse) also fails.
"""
import json
import os
import re
import subprocess
import sys

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
swift = os.environ.get("SWIFT", "swift")
rules = {name for name, enabled in json.load(open(".swift-format"))["rules"].items() if enabled}
run = subprocess.run([swift, "format", "lint", "--strict", "--recursive", "Sources", "Tests", "Examples", "Package.swift"],
                     capture_output=True, text=True)
findings = []
for line in (run.stdout + run.stderr).splitlines():
    category = re.search(r"\[([A-Za-z]+)\]", line)
    if (category and category.group(1) in rules) or (not category and "error" in line):
        findings.append(line)
if findings:
    print("\n".join(findings), file=sys.stderr)
    sys.exit(f"lint: {len(findings)} finding(s); see the rules in .swift-format")
print("lint: no findings (rules: " + ", ".join(sorted(rules)) + ")")
