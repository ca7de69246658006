"""CSV cells a spreadsheet would run as a formula: how they are written and read back.

Text from a report that starts with = + - @ (or a tab or carriage return) is written to CSV with a
leading apostrophe, which spreadsheets show as text. Parquet keeps the exact text. Anything that
compares the two undoes the escape with `unescape_column`.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
ESCAPED_PATTERN = r"^'[=+\-@\t\r]"


def escape(text: str) -> str:
    return ESCAPE + text if text.startswith(FORMULA_START) else text


def unescape_column(column):
    """A pyarrow string column read from CSV -> the text as it was before escaping (vectorised)."""
    import pyarrow.compute as pc

    escaped = pc.match_substring_regex(column, ESCAPED_PATTERN)
    return pc.if_else(escaped, pc.utf8_slice_codeunits(column, 1), column)
