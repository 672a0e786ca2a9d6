"""The Space: see how text in Indian languages is cut into tokens, by our tokenizers and any other,
and train your own.

    python app.py            # serves on http://127.0.0.1:7860 ($GRADIO_SERVER_PORT or $PORT)

A thin entry point: the views live in the `space` package (one module per view). Models are read
from $INDIC_TOKENIZER_MODELS (default: models/ beside this file), the GPT encodings through
`tokenizer.openai` (offline: $INDIC_TOKENIZER_TIKTOKEN_DIR) and the open LLMs' tokenizers through
`tokenizer.compare` (offline: $INDIC_TOKENIZER_LLM_DIR).
"""

from __future__ import annotations

import space

demo = space.build()

if __name__ == "__main__":
    space.launch(demo)
