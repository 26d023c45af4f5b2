"""The text of the emails the accounts domain sends. Plain text: it reads well everywhere."""


def invitation(*, user, inviter, link, policy):
    hours = int(policy.invitation_valid.total_seconds() // 3600)
    organisation = f" at {inviter.organisation.name}" if inviter.organisation else ""
    body = f"""Dear {user.name},

{inviter.name}{organisation} has created an account for you on {policy.service_name}.

To start using it, set your password here:

{link}

This link works once and expires in {_duration(hours)}. If it has expired, ask {inviter.name} to send a new one.

If you were not expecting this email, you can ignore it.
"""
    return f"Set up your {policy.service_name} account", body


def password_reset(*, user, link, policy):
    minutes = int(policy.reset_valid.total_seconds() // 60)
    body = f"""Dear {user.name},

Someone asked to reset the password for your {policy.service_name} account.

To choose a new password, use this link:

{link}

This link works once and expires in {minutes} minutes. If you did not ask for this, you can ignore this email: your password has not changed.
"""
    return f"Reset your {policy.service_name} password", body


def _duration(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"
