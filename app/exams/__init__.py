"""The knowledge assessment: blueprints, form assembly, and (to come) booking and sitting."""
