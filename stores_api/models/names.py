"""Rules for names of stores and items, shared by the models and the views."""

NAME_MAX_LENGTH = 80
# Ids are 32-bit integers in PostgreSQL; anything larger names no row.
MAX_ID = 2**31 - 1


def is_valid_name(name: str) -> bool:
    """1–80 characters, any Unicode except "/" and control characters such as NUL."""
    return (
        0 < len(name) <= NAME_MAX_LENGTH
        and "/" not in name
        and not any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    )


def is_valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID
