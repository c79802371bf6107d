"""Story ids: short, stable, derived once from the first copy's canonical URL.

A story id is stored when the story is first seen and never recomputed (later copies join it by
content, not by URL), so it only has to be unique and the same on every machine: the first 12 hex
digits (48 bits) of SHA-256 over the canonical URL. A clash needs about 16 million stories for
even odds; the store, which owns uniqueness, can reject one.
"""

from __future__ import annotations

from hashlib import sha256

ID_LENGTH = 12


def new_story_id(canonical_url: str) -> str:
    """A 12-hex-digit id for a story first seen at `canonical_url`."""
    return sha256(canonical_url.encode("utf-8")).hexdigest()[:ID_LENGTH]


__all__ = ["ID_LENGTH", "new_story_id"]
