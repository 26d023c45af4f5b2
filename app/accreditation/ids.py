"""Certificate ids: random, non-sequential, easy to read aloud and type. Pure.

An id is 15 symbols of Douglas Crockford's base32 (digits and letters without I, L, O and U, so no
symbol is mistaken for another) carrying 75 random bits, then one check symbol, written in groups of
four: `7KQ2-M9XD-4T0B-HN3F`. The check symbol is Crockford's: the value of the 15 symbols modulo 37.
Because 37 is a prime larger than the base, it catches every single wrong symbol and every swap of two
neighbouring symbols. Crockford's check alphabet has five extra symbols (* ~ $ = U) for the values
32-36, which are awkward to say and type, so ids are only drawn whose check value is below 32: the
check symbol is then always an ordinary digit or letter, and checking stays exactly Crockford's.

Reading is forgiving, as Crockford intends: lower case is accepted, I and L read as 1, O as 0, and
spaces and hyphens are ignored.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
DATA_SYMBOLS = 15
GROUP = 4
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ_AS = {"I": "1", "L": "1", "O": "0"}


class CertificateIdError(ValueError):
    """Why text is not a certificate id; the message is written for the person who typed it."""


class CertificateIdTypo(CertificateIdError):
    """The id is well formed but its check character does not match: it was mistyped."""


def _check_symbol(value: int) -> str:
    return CHECK_ALPHABET[value % 37]


def new_certificate_id(randbits=secrets.randbits) -> str:
    while True:
        value = randbits(5 * DATA_SYMBOLS)
        if value % 37 < 32:
            break
    symbols = "".join(ALPHABET[(value >> (5 * (DATA_SYMBOLS - 1 - i))) & 31] for i in range(DATA_SYMBOLS))
    return _grouped(symbols + _check_symbol(value))


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i:i + GROUP] for i in range(0, len(symbols), GROUP))


def parse_certificate_id(text: str) -> str:
    """The id in its canonical form, or CertificateIdError saying what is wrong."""
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in (text or "").upper() if ch not in " -\t")
    if not cleaned:
        raise CertificateIdError("Enter the certificate id")
    bad = sorted({ch for ch in cleaned[:-1] if ch not in _VALUE} | ({cleaned[-1]} - set(CHECK_ALPHABET)))
    if bad:
        raise CertificateIdError(f"A certificate id has only digits and letters (not {', '.join(bad)}): check it against the certificate")
    if len(cleaned) != DATA_SYMBOLS + 1:
        raise CertificateIdError(f"A certificate id has {DATA_SYMBOLS + 1} characters, in groups of {GROUP}; this has {len(cleaned)}")
    value = 0
    for ch in cleaned[:-1]:
        value = value * 32 + _VALUE[ch]
    if _check_symbol(value) != cleaned[-1]:
        raise CertificateIdTypo("This certificate id has a typo: one of its characters is wrong or two are swapped. "
                                 "Check it against the certificate")
    return _grouped(cleaned)
