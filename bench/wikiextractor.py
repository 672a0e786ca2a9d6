"""A WikiExtractor dump (files of <doc ...> ... </doc>) in a git repository, as one text file.

For the real-text run of bench/scale.py: the public repository smc/corpus holds the Malayalam
Wikipedia of 2023-04-02 (`text/ml-wiki/*/wiki_*`, CC BY-SA 3.0), brought here with the search
tool's `fetch` (a bare git directory). Each article becomes its paragraphs, one per line, without
the <doc> tags and the title line, and articles are separated by a blank line; the text reader
then makes documents of 25 lines (tokenizer/corpus.py), which the train/valid/test split follows.
The output is for benchmarks only: it is not committed.

    python -m bench.wikiextractor /work/.mirror/smc+corpus/repo text/ml-wiki /tmp/ml-wiki.txt
    python -m bench.scale --file /tmp/ml-wiki.txt --lang ml
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def convert(git_dir: str, folder: str, out: Path) -> tuple[int, int]:
    """(articles, bytes written)."""
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", "HEAD", folder],
                           capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    articles = 0
    with out.open("w", encoding="utf-8") as f:
        for name in sorted(names):
            text = subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:{name}"],
                                  capture_output=True, check=True).stdout.decode("utf-8")  # fmt: skip
            title_next = False
            for line in text.splitlines():
                if line.startswith("<doc "):
                    title_next, articles = True, articles + 1
                elif line == "</doc>":
                    f.write("\n")
                elif title_next:
                    title_next = False
                elif line.strip():
                    f.write(line.strip() + "\n")
    return articles, out.stat().st_size


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("git_dir", help="a bare git directory (what fetch gives)")
    p.add_argument("folder", help="the dump's folder in the repository, e.g. text/ml-wiki")
    p.add_argument("out", type=Path, help="the text file to write")
    args = p.parse_args()
    articles, size = convert(args.git_dir, args.folder, args.out)
    print(f"wrote {args.out}: {articles:,} articles, {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
