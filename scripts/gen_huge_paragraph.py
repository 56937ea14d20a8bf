#!/usr/bin/env python3
"""Writes one Markdown article whose body is a single paragraph of Vietnamese words
with a comma about every twenty words and no sentence punctuation, of about SIZE
bytes (issue 10, item 14).

usage: gen_huge_paragraph.py OUT.md SIZE_BYTES [SEED]
"""
import random
import sys

out, size = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 14)
words = ("tỉnh huyện xã người dân cán bộ công tác phát triển kinh tế văn hóa xã hội "
         "đầu tư hạ tầng giao thông nông nghiệp công nghiệp dịch vụ du lịch lễ hội "
         "quan họ Bắc Ninh Tiên Du Từ Sơn chương trình kế hoạch triển khai thực hiện "
         "nhiệm vụ giải pháp hiệu quả chất lượng đời sống thu nhập việc làm").split()
parts = ["+++\ntitle = \"Một đoạn văn rất dài\"\n+++\n\n"]
n = len(parts[0].encode())
count = 0
while n < size:
    word = rng.choice(words)
    count += 1
    piece = word + ("," if count % 20 == 0 else "") + " "
    parts.append(piece)
    n += len(piece.encode())
parts.append("\n")
with open(out, "w", encoding="utf-8") as f:
    f.write("".join(parts))
