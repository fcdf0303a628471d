import re

_LOCAL_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


def local_id(value) -> int | None:
    """The primary key a TMF reference's id names, or None when it cannot be one of ours.

    str.isdigit() is not enough: it accepts '²' and other Unicode digits that int() refuses.
    """
    text = str(value if value is not None else "")
    return int(text) if _LOCAL_ID.fullmatch(text) else None
