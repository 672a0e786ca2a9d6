"""notebooks/walkthrough.ipynb runs top to bottom, on a small slice of the corpus so that CI stays fast.

The notebook's parameter cell (tagged "parameters") is replaced before running, as papermill would.
The kernel is this interpreter (a kernelspec written to a temporary JUPYTER_PATH), not whatever
"python3" kernel the machine has registered, so the notebook sees the same packages as the tests.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"
REFTOK = Path(__file__).resolve().parents[2] / "shared" / "reftok" / "openai"
SMALL_PARAMETERS = "SLICE_LINES = 2000\nVOCAB_SIZE = 1000\n"
CELL_TIMEOUT = 120  # seconds per cell
KERNEL_NAME = "indic-tokenizer-test"


def parameter_cell(nb) -> int:
    indices = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(indices) == 1, "the notebook needs exactly one cell tagged 'parameters'"
    return indices[0]


def text_of(cell) -> str:
    """Everything a code cell printed or displayed as text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def cell_by_id(nb, cell_id: str):
    return next(c for c in nb.cells if c.get("id") == cell_id)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed with the small parameters (once for all tests of this module)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells[parameter_cell(nb)].source = SMALL_PARAMETERS

    kernels = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(kernels / "kernels" / KERNEL_NAME)  # argv: this sys.executable
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(kernels))
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # no display needed
        if REFTOK.is_dir():
            mp.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(REFTOK))
        else:
            mp.delenv("INDIC_TOKENIZER_TIKTOKEN_DIR", raising=False)
        client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=CELL_TIMEOUT,
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},  # run from notebooks/
        )
        start = time.perf_counter()
        client.execute()  # raises CellExecutionError on the first failing cell
        elapsed = time.perf_counter() - start
    print(f"notebook executed in {elapsed:.1f} s", file=sys.stderr)
    return nb


def test_notebook_runs_without_errors(executed):
    errors = [out for c in executed.cells if c.cell_type == "code" for out in c.outputs if out.output_type == "error"]
    assert not errors
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
    assert "SLICE_LINES=2000, VOCAB_SIZE=1000" in text_of(cell_by_id(executed, "setup"))


def test_bpe_by_hand(executed):
    by_hand = text_of(cell_by_id(executed, "bpe-by-hand"))
    assert "new id 258 'aaab'" in by_hand
    lib = text_of(cell_by_id(executed, "bpe-lib"))
    assert "learn_merges: [(97, 97), (97, 98), (256, 257)]" in lib
    assert "final tokens: ['aaab', 'd', 'aaab', 'a', 'c']" in lib


def test_regex_section_shows_the_cut(executed):
    out = text_of(cell_by_id(executed, "regex-split"))
    assert "gpt4: ह | िन | ्द | ी" in out
    assert "indic: हिन्दी" in out


def test_training_and_curve(executed):
    train = text_of(cell_by_id(executed, "train"))
    assert "2,000 training lines" in train
    assert "vocab size: 1,000" in train
    curve = cell_by_id(executed, "curve")
    assert any("image/png" in out.get("data", {}) for out in curve.outputs), "the plot was not drawn"
    assert "evaluate():" in text_of(curve)


def test_gpt_comparison(executed):
    out = text_of(cell_by_id(executed, "gpt"))
    assert "ours (hi)" in out and "ours (kn)" in out
    # each GPT encoding gets a line: its tokens, or "skipped (reason)" when it cannot be loaded
    assert all(f"{name}:" in out for name in ("GPT-2", "GPT-4", "GPT-4o"))
    if REFTOK.is_dir():
        assert "skipped" not in out


def test_every_shipped_model(executed):
    """Section 6 lists every registry language, each model encoding its own example sentence."""
    from tokenizer.registry import LANGUAGES

    lines = text_of(cell_by_id(executed, "every-language")).splitlines()
    assert [line.split()[0] for line in lines[1:]] == [lang.name for lang in LANGUAGES.values()]
    assert all(len(line.split()) > 4 for line in lines[1:])


def test_export_parity(executed):
    out = text_of(cell_by_id(executed, "export"))
    assert "ids equal: True" in out
    assert "decodes back: True" in out
    assert "with <|endoftext|>: True" in out


def test_committed_notebook_is_clean():
    """Outputs stripped (small diffs), full-size defaults, and no BPE or regex code of its own."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip the notebook's outputs"
    params = nb.cells[parameter_cell(nb)].source
    assert "SLICE_LINES = None" in params and "VOCAB_SIZE = 5000" in params
    source = "\n".join(c.source for c in code)
    assert "import re" not in source and "import regex" not in source
    assert "\ndef " not in "\n" + source, "the notebook should call the library, not define its own functions"
    assert json.loads(NOTEBOOK.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"] == "python3"
