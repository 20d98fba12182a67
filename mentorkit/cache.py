"""A small on-disk cache of slow, data-derived results (the redacted comments a dashboard shows).

Kept under :func:`mentorkit.config.cache_dir`, keyed by a :func:`fingerprint` of the files
behind the program data, so the next kernel that opens the same data skips the work.

>>> fingerprint(None) is None
True
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from mentorkit import config

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["fingerprint", "cached_series", "redacted_comments"]


def fingerprint(data: ProgramData) -> str | None:
    """A key that changes whenever the files behind *data* change (None for a database source).

    Names, sizes and modification times of the files in ``data.source``; a dashboard
    keeps slow, data-derived results (redacted comments) in the cache under this key, so
    the next kernel that opens the same data skips the work.
    """
    import hashlib

    folder = getattr(data, "source", None)
    if folder is None or not Path(folder).is_dir():
        return None
    h = hashlib.sha256(str(Path(folder).resolve()).encode())
    for p in sorted(Path(folder).iterdir()):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def cached_series(name: str, key: str | None, compute) -> pd.Series:
    """``compute()`` (a Series of text), read from the cache when *key* was seen before.

    Written atomically (a temporary file, then a rename), so kernels starting together
    never read half a file; any problem with the cache falls back to computing.
    """
    if key is None:
        return compute()
    path = config.cache_dir() / "dashboards" / f"{name}-{key}.parquet"
    try:
        if path.exists():
            frame = pd.read_parquet(path)
            return pd.Series(frame["value"].to_numpy(dtype=object), index=frame["index"].to_numpy(), name=name)
    except Exception:  # noqa: BLE001 - a damaged cache file is recomputed
        pass
    out = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        pd.DataFrame({"index": out.index.to_numpy(), "value": out.astype(object).to_numpy()}).to_parquet(tmp)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - caching is an optimisation only
        pass
    return out


def redacted_comments(data: ProgramData) -> pd.Series:
    """Every survey comment of *data* with person names replaced (:func:`mentorkit.privacy.redact_names`),
    kept in the cache per version of the data files, so a second kernel skips the spaCy pass."""
    def redact() -> pd.Series:
        from mentorkit.privacy import redact_names

        texts = data.comments["text"]
        return pd.Series(list(redact_names(texts)) if len(texts) else [], index=texts.index, dtype=object)
    return cached_series("redacted-comments", fingerprint(data), redact)
