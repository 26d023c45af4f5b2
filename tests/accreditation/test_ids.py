import random
import re

import pytest

from app.accreditation.ids import ALPHABET, CertificateIdError, new_certificate_id, parse_certificate_id


def test_new_ids_are_grouped_random_and_valid():
    ids = {new_certificate_id() for _ in range(2000)}
    assert len(ids) == 2000
    for certificate_id in list(ids)[:200]:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", certificate_id)
        assert parse_certificate_id(certificate_id) == certificate_id


def test_crockford_reading_rules():
    certificate_id = new_certificate_id()
    sloppy = certificate_id.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert parse_certificate_id(sloppy) == certificate_id


def test_every_single_substitution_and_adjacent_swap_is_caught():
    rng = random.Random(7)
    for _ in range(40):
        symbols = new_certificate_id().replace("-", "")
        for position in range(len(symbols)):
            for other in ALPHABET:
                if other != symbols[position]:
                    typo = symbols[:position] + other + symbols[position + 1:]
                    with pytest.raises(CertificateIdError, match="typo"):
                        parse_certificate_id(typo)
        position = rng.randrange(len(symbols) - 1)
        if symbols[position] != symbols[position + 1]:
            swapped = symbols[:position] + symbols[position + 1] + symbols[position] + symbols[position + 2:]
            with pytest.raises(CertificateIdError, match="typo"):
                parse_certificate_id(swapped)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the certificate id"),
    ("ABCD-EFGH", "has 16 characters"),
    ("ABCD-EFGH-JKMN-PQR!", "only digits and letters"),
    ("ABCD-EFGH-JKMN-PQRS-T", "has 16 characters"),
])
def test_malformed_ids_get_specific_messages(text, message):
    with pytest.raises(CertificateIdError, match=message):
        parse_certificate_id(text)
