#!/usr/bin/env python3
"""Generates N benchmark articles from the sample article, every sentence distinct.

usage: gen_articles.py SAMPLE.md OUT_DIR N
"""
import pathlib
import re
import sys

sample, out, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
text = sample.read_text(encoding="utf-8")
front, body = text.split("+++", 2)[1], text.split("+++", 2)[2]
out.mkdir(parents=True, exist_ok=True)
for i in range(n):
    # Suffix every sentence with the article number so nothing is shared.
    tagged = re.sub(r"([.!?…])(\s|$)", lambda m: f" (bài {i}){m.group(1)}{m.group(2)}", body)
    (out / f"bai-{i:05}.md").write_text(f"+++{front}+++{tagged}", encoding="utf-8")
