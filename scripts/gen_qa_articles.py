#!/usr/bin/env python3
"""Generates N benchmark articles from the hand-translated sentences of
examples/qa_recall/articles.toml, every sentence made distinct by a numbered marker,
and the corpus a mock backend answers them from (real translations, so the QA gate
passes them: the QA overhead benchmark, scripts/bench-qa-overhead.sh).

usage: gen_qa_articles.py OUT_DIR/content CORPUS.json N [PARAGRAPHS] [SEED]

Each article has a title and PARAGRAPHS (8) paragraphs of one sentence each. The
marker ` (bài số K)` goes before the sentence's final punctuation; the mock puts the
same number in each language's form (`scripts/mock_deepl.py` with a corpus).
"""
import json
import pathlib
import random
import sys
import tomllib

out, corpus_path, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
paragraphs = int(sys.argv[4]) if len(sys.argv) > 4 else 8
rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 11)
root = pathlib.Path(__file__).resolve().parent.parent
pairs = tomllib.loads((root / "examples/qa_recall/articles.toml").read_text("utf-8"))["pair"]
# English keeps "quan họ", which passes the QA gate only with the project's glossary
# (`translate = false`); the benchmark project has none, so DeepL's glossary API (which
# the mock does not serve) stays out of the measurement.
pairs = [p for p in pairs if "quan họ" not in p["en"]]

MARK = " (bài số {})"


def marked(sentence, k):
    end = len(sentence)
    while end > 0 and sentence[end - 1] in ".。!?！？":
        end -= 1
    return sentence[:end] + MARK.format(k) + sentence[end:]


out.mkdir(parents=True, exist_ok=True)
k = 0
for i in range(n):
    sentences = []
    for _ in range(paragraphs + 1):
        k += 1
        sentences.append(marked(rng.choice(pairs)["vi"], k))
    title = sentences[0].replace('"', "'")
    body = "\n\n".join(sentences[1:])
    text = f'+++\ntitle = "{title}"\ndate = 2024-02-22\n+++\n\n{body}\n'
    (out / f"bai-{i:05}.md").write_text(text, encoding="utf-8")
corpus = {p["vi"].replace('"', "'"): {"en": p["en"], "ko": p["ko"], "zh": p["zh"]} for p in pairs}
corpus_path.write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
