"""QR codes as SVG for the waiting page.

Temporary and minimal: ``shared/qr.py`` (issuer branch) provides ``qr_svg(text)`` for
everyone; once it lands on main this module should become a re-export of it.
"""

from __future__ import annotations

import html

import qrcode
import qrcode.image.svg


def qr_svg(text: str, title: str = "QR code") -> str:
    """An SVG QR code of ``text`` with an accessible ``<title>``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = image.to_string(encoding="unicode")
    start = svg.find("<svg")
    close = svg.find(">", start)
    if start < 0 or close < 0:
        return svg
    titled = f"{svg[: close + 1]}<title>{html.escape(title)}</title>{svg[close + 1 :]}"
    return titled[start:] if svg.startswith("<?xml") else titled
