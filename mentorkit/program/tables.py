"""Program tables as the rest of the package shapes them: an empty table of a kind, a table on disk.

Below both the data model (:mod:`mentorkit.program.data`) and the loader
(:mod:`mentorkit.program.loader`), so neither has to import the other.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.program.schema import TABLES

__all__ = ["empty_table", "write_table"]


def empty_table(table: str) -> pd.DataFrame:
    """An empty DataFrame with *table*'s required columns and their dtypes.

    >>> empty_table("messages").dtypes.astype(str).to_dict()
    {'pair_id': 'object', 'sent_at': 'datetime64[ns]', 'replied_at': 'datetime64[ns]'}
    """
    spec = TABLES[table]
    data = {}
    for c in spec.columns:
        if not c.required:
            continue
        dtype = {"number": "float64", "bool": "bool", "date": "datetime64[ns]",
                 "datetime": "datetime64[ns]"}.get(c.kind, object)
        data[c.name] = pd.Series([], dtype=dtype)
    return pd.DataFrame(data)


def write_table(df: pd.DataFrame, path: str | os.PathLike, table: str | None = None) -> Path:
    """Write one table as CSV or Parquet (by suffix) in the form :func:`load` reads.

    CSV: dates as ``YYYY-MM-DD``, times as ``YYYY-MM-DD HH:MM:SS`` (UTC),
    whole-number columns without ``.0``, text made spreadsheet-safe
    (:func:`mentorkit.privacy.to_csv_safe`).

    >>> import tempfile, os
    >>> df = pd.DataFrame({"participant_id": ["P1"], "wave": ["post"], "text": ["+1 agreed"]})
    >>> print(write_table(df, os.path.join(tempfile.mkdtemp(), "comments.csv")).read_text(), end="")
    participant_id,wave,text
    P1,post,'+1 agreed
    """
    from mentorkit.privacy import to_csv_safe

    path = Path(path)
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
        return path
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_float_dtype(s):
            v = s.to_numpy()
            ok = ~np.isnan(v)
            if ok.any() and np.all(np.mod(v[ok], 1) == 0) and np.all(np.abs(v[ok]) < 2 ** 53):
                s = s.astype("Int64")
        out[c] = s
    return to_csv_safe(pd.DataFrame(out, index=df.index), path)
