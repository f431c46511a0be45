"""QR codes for share links: ``shared.qr`` once it exists, the qrcode package until then."""

from __future__ import annotations

import html


def qr_svg(text: str) -> str:
    """An SVG QR code of ``text`` with a ``<title>``."""
    try:
        from shared.qr import qr_svg as shared_qr_svg  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        import qrcode
        import qrcode.image.svg

        image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
        svg = image.to_string(encoding="unicode")
        title = f"<title>QR code: {html.escape(text)}</title>"
        return str(svg).replace(">", ">" + title, 1)
    result: str = shared_qr_svg(text)
    return result
