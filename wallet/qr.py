"""QR codes for share links (``shared.qr``: an accessible SVG with a ``<title>``)."""

from __future__ import annotations

from shared.qr import qr_svg

__all__ = ["qr_svg"]
