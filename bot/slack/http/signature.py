"""Slack's request signature (v0): an HMAC-SHA256 of the timestamp and the raw body with the signing secret,
within five minutes of now."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_WINDOW = 5 * 60  # seconds either side of now, as Slack documents


def signed(secret: bytes, raw: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """Slack's v0 signature over the raw bytes of the body, whatever they are (so a signed body that is not
    UTF-8 is recognised as signed, and then refused as malformed)."""
    if not secret or not signature or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if len(timestamp) > 12:  # int() refuses thousands of digits, and no timestamp has them
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    digest = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    # WSGI hands headers over as latin-1 text: compare bytes, which works for any header value
    return hmac.compare_digest(f"v0={digest}".encode(), signature.encode("latin-1", "replace"))
