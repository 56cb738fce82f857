"""Splitting expression text into tokens, with friendly errors for common slips.

Business owners write `=` for `==`, `and` for `&&`, or paste smart quotes; the
lexer is where such slips are recognised and explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.expressions.errors import ExpressionError
from models.phrases import Phrase

#: Operators, longest first so `<=` wins over `<`.
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".",
              ",", "(", ")", "[", "]", "{", "}")

_SLIPS = {
    "=": (Phrase("'=' is not allowed here"),
          Phrase("to compare two values write '=='; expressions cannot change data")),
    ";": (Phrase("';' is not allowed"), Phrase("write a single expression without ';'")),
    "&": (Phrase("a single '&' is not an operator"), Phrase("write '&&' for 'and'")),
    "|": (Phrase("a single '|' is not an operator"), Phrase("write '||' for 'or'")),
    "`": (Phrase("'`' is not allowed"), Phrase("put text between \" or ' quotes")),
    "^": (Phrase("'^' is not an operator"), None),
    "$": (Phrase("'$' is not allowed"), None),
    "#": (Phrase("'#' is not allowed"), None),
    "@": (Phrase("'@' is not allowed outside text"), Phrase("put text between \" or ' quotes")),
    "\\": (Phrase("'\\' is not allowed outside text"), None),
    "\u2018": (Phrase("curly quotes are not quotes here"), Phrase("use straight quotes ' or \"")),
    "\u2019": (Phrase("curly quotes are not quotes here"), Phrase("use straight quotes ' or \"")),
    "\u201c": (Phrase("curly quotes are not quotes here"), Phrase("use straight quotes ' or \"")),
    "\u201d": (Phrase("curly quotes are not quotes here"), Phrase("use straight quotes ' or \"")),
}

_SIMPLE_ESCAPES = {
    "\\": "\\", '"': '"', "'": "'", "`": "`", "?": "?",
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
}

_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_CHARS = _IDENT_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "ident", "op", "end"
    text: str  # source text (for "str": the decoded value)
    start: int
    end: int
    is_int: bool = False


def tokenize(source: str) -> list[Token]:
    """All tokens of `source`, ending with an "end" token; ExpressionError on bad characters."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n\f":
            i += 1
        elif source.startswith("//", i):
            newline = source.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and source[i + 1] in _DIGITS):
            token = _number(source, i)
            tokens.append(token)
            i = token.end
        elif ch in "'\"" or (ch in "rRbB" and i + 1 < n and source[i + 1] in "'\""):
            token = _string(source, i)
            tokens.append(token)
            i = token.end
        elif ch in _IDENT_START:
            j = i + 1
            while j < n and source[j] in _IDENT_CHARS:
                j += 1
            tokens.append(Token("ident", source[i:j], i, j))
            i = j
        else:
            op = next((o for o in _OPERATORS if source.startswith(o, i)), None)
            if op is None:
                message, hint = _SLIPS.get(ch, (Phrase("unexpected character '{character}'", character=ch), None))
                raise ExpressionError(message, source=source, position=i, hint=hint)
            tokens.append(Token("op", op, i, i + len(op)))
            i += len(op)
    tokens.append(Token("end", "", n, n))
    return tokens


def _number(source: str, i: int) -> Token:
    n, start = len(source), i
    if source.startswith(("0x", "0X"), i):
        i += 2
        while i < n and source[i] in _HEX:
            i += 1
        if i == start + 2:
            raise ExpressionError(Phrase("a hexadecimal number needs digits after '0x'"), source=source,
                                  position=start)
        return _finish_number(source, start, i, is_int=True)
    while i < n and source[i] in _DIGITS:
        i += 1
    is_int = True
    if i + 1 < n and source[i] == "." and source[i + 1] in _DIGITS:
        is_int = False
        i += 1
        while i < n and source[i] in _DIGITS:
            i += 1
    if i < n and source[i] in "eE":
        j = i + 1
        if j < n and source[j] in "+-":
            j += 1
        if j < n and source[j] in _DIGITS:
            is_int = False
            i = j
            while i < n and source[i] in _DIGITS:
                i += 1
    return _finish_number(source, start, i, is_int=is_int)


def _finish_number(source: str, start: int, end: int, *, is_int: bool) -> Token:
    if end < len(source) and source[end] in "uU":
        raise ExpressionError(Phrase("unsigned numbers (with 'u') are not supported"), source=source, position=start,
                              hint=Phrase("write {example}", example=source[start:end]))
    if end < len(source) and source[end] in _IDENT_CHARS:
        raise ExpressionError(Phrase("'{text}' is not a number", text=source[start:end + 1]), source=source,
                              position=start, hint=Phrase("separate numbers and names with an operator or a space"))
    if end < len(source) and source[end] == "." and not is_int:
        raise ExpressionError(Phrase("a number has at most one decimal point"), source=source, position=end)
    return Token("num", source[start:end], start, end, is_int=is_int)


def _string(source: str, i: int) -> Token:
    start = i
    raw = False
    if source[i] in "bB":
        raise ExpressionError(Phrase("byte strings (b'...') are not supported"), source=source, position=start,
                              hint=Phrase("write plain text in quotes"))
    if source[i] in "rR":
        raw = True
        i += 1
    quote = source[i]
    triple = source.startswith(quote * 3, i)
    delimiter = quote * 3 if triple else quote
    i += len(delimiter)
    parts: list[str] = []
    n = len(source)
    while True:
        if i >= n or (not triple and source[i] in "\r\n"):
            raise ExpressionError(Phrase("text in quotes is not closed"), source=source, position=start,
                                  hint=Phrase("add the closing {quote}", quote=delimiter))
        if source.startswith(delimiter, i):
            i += len(delimiter)
            break
        ch = source[i]
        if ch == "\\" and not raw:
            text, i = _escape(source, i)
            parts.append(text)
        else:
            parts.append(ch)
            i += 1
    return Token("str", "".join(parts), start, i)


def _escape(source: str, i: int) -> tuple[str, int]:
    """Decode the escape sequence starting at the backslash at `i`."""
    n = len(source)
    if i + 1 >= n:
        raise ExpressionError(Phrase("text in quotes is not closed"), source=source, position=i)
    code = source[i + 1]
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code], i + 2
    width = {"x": 2, "X": 2, "u": 4, "U": 8}.get(code)
    if width is not None:
        digits = source[i + 2: i + 2 + width]
        if len(digits) == width and all(d in _HEX for d in digits):
            value = int(digits, 16)
            if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
                return chr(value), i + 2 + width
    elif code in "0123":
        digits = source[i + 1: i + 4]
        if len(digits) == 3 and all(d in "01234567" for d in digits):
            return chr(int(digits, 8)), i + 4
    raise ExpressionError(Phrase("'{escape}' is not a valid escape in text", escape=f"\\{code}"), source=source,
                          position=i, hint=Phrase("write '\\\\' for a backslash"))
