"""Assessment quality for administrators: regrading after a key correction or void, the item
analysis, reliability and fairness reports for a window, and candidates' equality monitoring."""
