"""QR code of a TOTP enrolment, as inline SVG (no image service, no network)."""

import qrcode
import qrcode.image.svg


def qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")
