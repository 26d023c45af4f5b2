"""Accreditation: decisions from endorsement and both components, resits, appeals, validity, and the
certificates that carry them."""
