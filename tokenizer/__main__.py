"""`python -m tokenizer` and the `indic-tokenizer` command.

The check comes first because the import name `tokenizer` is shared with an unrelated PyPI
package: installed over this one it replaces tokenizer/__init__.py, and everything after that
would fail in confusing ways. Only this project's package sets `__indic__`.
"""

import sys

WRONG_PACKAGE = (
    "error: the module 'tokenizer' imported from {where} is not indic-tokenizer's (it has no "
    "tokenizer.__indic__): an unrelated PyPI package is also called 'tokenizer'. "
    "Run: pip uninstall tokenizer indic-tokenizer, then reinstall indic-tokenizer (see docs/install.md)."
)


def main() -> int:
    package = sys.modules.get(__package__ or "tokenizer")
    if package is None or not getattr(package, "__indic__", False):
        print(WRONG_PACKAGE.format(where=getattr(package, "__file__", "?")), file=sys.stderr)
        return 1
    from .cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
