"""A digest as JSON and back: dataclasses, enums, moments and days as plain values.

Storage keeps every digest as it was computed; a field added later has a default, so a
digest stored before it still loads (a missing key takes the default).
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in get_args(tp) if a is not type(None)]
        return decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        inner = get_args(tp)[0]
        return tuple(decode(inner, v) for v in value)
    if origin is dict:
        inner = get_args(tp)[1]
        return {k: decode(inner, v) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = get_type_hints(tp)
        return tp(
            **{
                f.name: decode(hints[f.name], value[f.name])
                for f in dataclasses.fields(tp)
                if f.name in value
            }
        )
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    if tp is float and value is not None:
        return float(value)
    return value
