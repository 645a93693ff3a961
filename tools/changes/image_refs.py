"""What shipped, as deploy systems write it: container image references and commit shas."""

from __future__ import annotations

import re

_SHA = re.compile(r"[0-9a-f]{7,40}")
# registry.example.com:5000/team/billing-api:v2.0.1, billing-api@sha256:...; the name is the last path segment.
_IMAGE = re.compile(r"(?:[\w.-]+(?::\d+)?/)*(?P<name>[a-z][a-z0-9._-]*)(?::(?P<tag>[\w][\w.-]{0,127}))?"
                    r"(?:@(?P<digest>sha256:[0-9a-f]{12,64}))?")


# The version a release tag names: all of it (`v2.3.1`, `2.3.1-rc1`), or what follows its application's name
# (`cart-api-v2.3.1`, `cart-api/v2.3.1`, `cart-api@2.3.1`, `release/2.3.1`).
_TAG_VERSION = re.compile(r"(?:^|(?<=[-/@_]))v?\d+(?:\.\d+)+[\w.+-]*$")


def tag_version(tag: str) -> str | None:
    """`cart-api-v2.3.1` -> `v2.3.1`, `2.3.1` -> `2.3.1`; None for a tag naming no version (a branch, a sha)."""
    match = _TAG_VERSION.search(tag)
    return match.group(0) if match else None


def looks_like_sha(text: str) -> bool:
    """7 to 40 lower-case hex digits, with a digit and a letter among them (a word like `deadbeef` is not one)."""
    return bool(_SHA.fullmatch(text)) and any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def image_reference(ref: str) -> tuple[str, str] | None:
    """(name, tag or digest) of an image reference that carries a tag or a digest; None for anything else
    (a URL, `host:8080`, a bare name)."""
    if "://" in ref or ("/" not in ref and ":" not in ref and "@" not in ref):
        return None
    match = _IMAGE.fullmatch(ref)
    if not match or not (match["tag"] or match["digest"]):
        return None
    tag = match["tag"]
    if tag and tag.isdigit() and "/" not in ref:  # host:8080 is an address, not an image
        return None
    return match["name"], tag or match["digest"]
