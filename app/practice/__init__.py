"""Observed practice: station sets and rubrics (authored content), sittings, allocation of two
independent assessors, blind double marking, moderation, release, and rater agreement."""
