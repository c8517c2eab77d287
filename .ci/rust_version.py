#!/usr/bin/env python3
"""Checks that each workspace crate's `rust-version` is true of what it builds with: no
dependency it builds (normal and build dependencies; for unpublished crates, dev-dependencies
too) declares a newer `rust-version`. The compiler side is clippy's `incompatible_msrv` lint,
which the clippy step denies with the rest."""

import json
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in metadata["packages"]}
nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
failures = []
for member in metadata["workspace_members"]:
    package = packages[member]
    declared = package.get("rust_version")
    if not declared:
        failures.append(f"{package['name']} declares no rust-version")
        continue
    published = package.get("publish") is None or package.get("publish") != []
    kinds = {None, "build"} if published else {None, "build", "dev"}
    seen, stack = set(), [member]
    while stack:
        node = nodes[stack.pop()]
        for dep in node["deps"]:
            dep_kinds = {k["kind"] for k in dep["dep_kinds"]}
            # Below the member itself, only what the dependency builds with counts.
            wanted = kinds if node["id"] == member else {None, "build"}
            if not dep_kinds & wanted or dep["pkg"] in seen:
                continue
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])
    for dep in sorted(seen):
        needed = packages[dep].get("rust_version")
        if needed and version(needed) > version(declared):
            failures.append(
                f"{package['name']} (rust-version {declared}) builds "
                f"{packages[dep]['name']} {packages[dep]['version']}, which needs {needed}"
            )
    print(f"{package['name']}: rust-version {declared}, {len(seen)} dependencies checked")
if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
