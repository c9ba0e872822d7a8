#!/usr/bin/env python3
"""The script a user would write: count the rows with Python's csv
module (no type checks at all: the floor of the Python way)."""
import csv
import sys

with open(sys.argv[1], newline="") as f:
    n = sum(1 for _ in csv.reader(f))
print(n)
