"""Accounts: signing in and out, invitations, password links, roles."""
