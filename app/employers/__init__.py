"""Employers (local authorities and trusts): their organisation and staff."""
