"""The Space as a package: one module per view, `build()` puts them on one page.

    import space
    demo = space.build()      # a gradio Blocks; app.py launches it

Every handler is a plain function (tests call them directly) that never raises (space.guards):
a problem comes back as a message in its view. Importing the package imports no UI library, so
the training worker (`python -m space.worker`) starts without gradio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr


def build() -> gr.Blocks:
    """The whole page (see space.layout)."""
    from .layout import build as build_page

    return build_page()


def launch(demo: gr.Blocks) -> None:
    """Serve the page: models warmed up, port from $GRADIO_SERVER_PORT or $PORT."""
    from .layout import launch as launch_page

    launch_page(demo)


__all__ = ["build", "launch"]
