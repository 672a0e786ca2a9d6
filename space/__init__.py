"""The Space as a package: one module per view, `build()` puts them on one page.

    import space
    demo = space.build()      # a gradio Blocks; app.py launches it

Every handler is a plain function (tests call them directly) that never raises (space.guards):
a problem comes back as a message in its view.
"""

from __future__ import annotations

from .layout import build, launch, warm_up

__all__ = ["build", "launch", "warm_up"]
